import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { stepSequence } from '../support/e2e-steps.ts';
import { cliEnv, pinnedNode, repoRoot } from '../support/cli-process.ts';

/**
 * What a newcomer does after `npm start`, in a real Chromium: the real `gatehouse serve --dev`
 * (which also starts the demo IdP, a real oidc-provider, on its own loopback port) as a child
 * process. Open /login, click "Continue with Demo IdP", sign in and consent on the provider's
 * own pages, land on /account logged in with the identity listed; log out, log in again with the
 * same identity, and be the same user. The steps share state and run in order.
 */

const sessionCookieName = '__Host-gatehouse_session';
const screenshotPath = '/tmp/gatehouse-oauth-account.png';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = probe.address();
      const port = address !== null && typeof address === 'object' ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** `gatehouse serve --dev`, resolved when its banner names the demo IdP (printed after listen()). */
function startDevServer(port: number, idpPort: number, database: string): Promise<{ child: ChildProcess; banner: string }> {
  const env = cliEnv(database, { PORT: String(port), GATEHOUSE_DEMO_IDP_PORT: String(idpPort), GATEHOUSE_DEMO_RP: 'false', GATEHOUSE_SECRET: undefined, GATEHOUSE_PUBLIC_URL: undefined });
  const child = spawn(pinnedNode, [join(repoRoot, 'src', 'cli', 'main.ts'), 'serve', '--dev'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const onData = (chunk: string): void => {
      stdout += chunk;
      if (/demo IdP \(dev only\) at http:\/\/\S+/.test(stdout)) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.off('exit', onExit);
        resolve({ child, banner: stdout });
      }
    };
    const onExit = (code: number | null): void => reject(new Error(`serve --dev exited (${String(code)}) before its banner\nstdout: ${stdout}\nstderr: ${stderr}`));
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.once('exit', onExit);
  });
}

const step = stepSequence();

async function userIdOf(page: Page): Promise<string> {
  const response = await page.request.get('/v1/session');
  assert.equal(response.status(), 200, await response.text());
  return ((await response.json()) as { user: { id: string } }).user.id;
}

describe('login with the demo IdP in a real browser (npm start)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-oauth-e2e-'));
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let url: string;
  let idpOrigin: string;
  let firstUserId: string;

  before(async () => {
    const [port, idpPort] = [await freePort(), await freePort()];
    url = `http://localhost:${port}`;
    idpOrigin = `http://127.0.0.1:${idpPort}`;
    const [started, launched] = await Promise.allSettled([startDevServer(port, idpPort, join(dir, 'gatehouse.db')), launchChromium()]);
    if (started.status === 'fulfilled') server = started.value.child;
    if (launched.status === 'fulfilled') browser = launched.value;
    if (started.status === 'rejected') throw started.reason;
    if (launched.status === 'rejected') throw launched.reason;
    assert.match(started.value.banner, new RegExp(`register the redirect URI ${url}/v1/oauth/demo/callback`));
    assert.match(started.value.banner, new RegExp(`dev mail: every mail lands in the outbox at ${url}/dev/mail`));
    context = await (browser as Browser).newContext({ baseURL: url });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      if (server !== undefined && server.exitCode === null) {
        const exited = new Promise((resolve) => server?.once('exit', resolve));
        server.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });

  step('/login offers "Continue with Demo IdP", which leads to the provider\'s own sign-in page', async () => {
    await page.goto('/login');
    await page.getByRole('link', { name: 'Continue with Demo IdP' }).click();
    await page.waitForURL((u) => u.origin === idpOrigin && u.pathname.startsWith('/interaction/'));
    assert.match((await page.locator('h1').textContent()) ?? '', /Sign in to the Demo IdP/);
  });

  step('signs in and consents at the provider, and arrives at /account logged in with the identity listed', async () => {
    await page.locator('#username').fill('demo');
    await page.locator('#password').fill('demo-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${url}/account`);
    assert.equal(await page.locator('main strong').first().textContent(), 'demo.user@example.com');
    const identity = page.locator('tr[data-identity-id]');
    assert.equal(await identity.count(), 1);
    assert.match((await identity.textContent()) ?? '', /Demo IdP\s*linked\s*demo\.user@example\.com/);
    assert.match((await identity.textContent()) ?? '', /Your only way to log in/);
    const session = (await context.cookies(url)).find((c) => c.name === sessionCookieName);
    assert.deepEqual([session?.httpOnly, session?.secure, session?.sameSite], [true, true, 'Lax']);
    assert.equal((await context.cookies(url)).find((c) => c.name === '__Host-gatehouse_oauth'), undefined, 'the flow cookie is gone');
    firstUserId = await userIdOf(page);
    await page.screenshot({ path: screenshotPath, fullPage: true });
  });

  step('logs out', async () => {
    await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Log out' }).click();
    await page.waitForURL(`${url}/logout`);
    await page.locator('main').getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${url}/login?done=logged-out`);
    await page.getByText('You are logged out on this device').waitFor();
    assert.equal((await page.request.get('/v1/session')).status(), 401);
  });

  step('logs in again with the same identity and is the same user', async () => {
    await page.getByRole('link', { name: 'Continue with Demo IdP' }).click();
    // The provider remembers its own sign-in and the consent: it may send the browser straight back.
    await page.waitForURL((u) => (u.origin === url && u.pathname === '/account') || (u.origin === idpOrigin && u.pathname.startsWith('/interaction/')));
    if (new URL(page.url()).origin === idpOrigin) {
      if ((await page.locator('#username').count()) > 0) {
        await page.locator('#username').fill('demo');
        await page.locator('#password').fill('demo-password');
        await page.getByRole('button', { name: 'Sign in' }).click();
      }
      if ((await page.getByRole('button', { name: 'Allow' }).count()) > 0) await page.getByRole('button', { name: 'Allow' }).click();
    }
    await page.waitForURL(`${url}/account`);
    assert.equal(await userIdOf(page), firstUserId);
    assert.equal(await page.locator('tr[data-identity-id]').count(), 1);
  });

  // docs/security.md SEC-103 (finding 2): a real Chromium followed /v1/oauth/demo/start?return_to=/..//host/x
  // through the provider and ended off-site. It must end on this site.
  for (const returnTo of ['/..//evil.example/x', '/%2e%2e//evil.example/x', '/a/..//evil.example/x']) {
    step(`a social login started with return_to=${returnTo} ends on this site (SEC-103)`, async () => {
      await page.goto(`/v1/oauth/demo/start?return_to=${encodeURIComponent(returnTo)}`);
      await page.waitForURL((u) => u.origin === url || (u.origin === idpOrigin && u.pathname.startsWith('/interaction/')));
      if (new URL(page.url()).origin === idpOrigin) {
        if ((await page.locator('#username').count()) > 0) {
          await page.locator('#username').fill('demo');
          await page.locator('#password').fill('demo-password');
          await page.getByRole('button', { name: 'Sign in' }).click();
        }
        if ((await page.getByRole('button', { name: 'Allow' }).count()) > 0) await page.getByRole('button', { name: 'Allow' }).click();
      }
      await page.waitForURL((u) => u.origin === url && !u.pathname.startsWith('/v1/oauth/'));
      assert.equal(new URL(page.url()).origin, url, page.url());
    });
  }
});
