// The README's @gatehouse/sdk examples run as written, against a real server: the only changes
// are the issuer URL (http://localhost:3000 -> the test server) and the API's port (4000 -> a free
// one). They import the built package (@gatehouse/sdk -> packages/sdk/dist, as `npm test` builds it).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient } from '../../src/core/clients/create-client.ts';
import { repoRoot } from '../support/cli-process.ts';
import { testPassword } from '../support/core-deps.ts';
import { findFreePort } from '../support/free-port.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const sdkExamples = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]!).filter((code) => code.includes("from '@gatehouse/sdk'"));
// Inside the repository's node_modules, so `fastify` and `@gatehouse/sdk` resolve as in an app that installed them.
const scratch = join(repoRoot, 'node_modules', '.cache', 'gatehouse-readme-examples');

/** One GET on a connection of its own (no keep-alive pool shared with other requests of this process). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { headers, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
  });
}

function runExample(name: string, code: string, env: Record<string, string>): { child: ChildProcess; output: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const file = join(scratch, `${name}.mjs`);
  writeFileSync(file, code);
  const child = spawn(process.execPath, [file], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const output = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (exitCode) => {
      clearTimeout(guard);
      resolve({ code: exitCode, stdout, stderr });
    }),
  );
  return { child, output };
}

describe('README: the @gatehouse/sdk examples run as written', () => {
  let server: TestServer;
  let accessToken: string;
  let apiSecret: string;

  before(async () => {
    mkdirSync(scratch, { recursive: true });
    server = await startTestServer();
    await createClient(server.gatehouse.deps, { id: 'spa', name: 'SPA', type: 'public', grantTypes: ['password', 'refresh_token'], audience: 'https://api.example.com' });
    apiSecret = (await createClient(server.gatehouse.deps, { id: 'notes-api', name: 'Notes API', type: 'confidential', grantTypes: ['session'], audience: 'https://api.example.com' })).secret as string;
    const signUp = await fetch(`${server.url}/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email: 'ada@example.com', password: testPassword }),
    });
    assert.equal(signUp.status, 202);
    const tokens = await fetch(`${server.url}/v1/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', client_id: 'spa', username: 'ada@example.com', password: testPassword }) });
    accessToken = ((await tokens.json()) as { access_token: string }).access_token;
  });
  after(async () => {
    await server?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('the README has the two SDK examples (verify with fastify; follow the revocation feed)', () => {
    assert.equal(sdkExamples.length, 2, sdkExamples.join('\n---\n'));
    assert.match(sdkExamples[0]!, /fastifyGatehouse/);
    assert.match(sdkExamples[1]!, /revocationFeed/);
  });

  it('the fastify server verifies a real token, and refuses a request without one', async () => {
    const port = await findFreePort();
    const code = sdkExamples[0]!.replaceAll("'http://localhost:3000'", `'${server.url}'`).replace('port: 4000', `port: ${port}, host: '127.0.0.1'`);
    const { child, output } = runExample('verify', code, {});
    try {
      // Wait for the example to listen (a hang guard bounds the whole test, not a timing assertion).
      let anonymous: Awaited<ReturnType<typeof get>> | undefined;
      while (anonymous === undefined && child.exitCode === null) {
        anonymous = await get(`http://127.0.0.1:${port}/notes`).catch(() => undefined);
        if (anonymous === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (anonymous === undefined) assert.fail(`the example exited: ${(await output).stderr}`);
      assert.equal(anonymous.status, 401);
      assert.match(String(anonymous.headers['www-authenticate']), /^Bearer/);

      const response = await get(`http://127.0.0.1:${port}/notes`, { authorization: `Bearer ${accessToken}` });
      assert.equal(response.status, 200, response.body);
      const body = JSON.parse(response.body) as { user: string; session: string; mfa: boolean };
      const user = await server.gatehouse.store.users.findByEmail('ada@example.com');
      assert.equal(body.user, user?.id);
      assert.match(body.session, /.+/);
      assert.equal(body.mfa, false, 'a password login is one factor');
    } finally {
      child.kill('SIGTERM');
      await output;
    }
  });

  it('the revocation-feed verifier catches up with the feed (ready() resolves) using the registered confidential client', async () => {
    const code = `${sdkExamples[1]!.replaceAll("'http://localhost:3000'", `'${server.url}'`)}\nconsole.log('ready');\nverifier.close();\n`;
    const result = await runExample('feed', code, { NOTES_API_SECRET: apiSecret }).output;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'ready');
  });
});
