// The published packages as a user gets them: `npm pack` each workspace package (which builds it
// with tsc), install the tarball into an empty app that has no other dependency, check what got
// installed, then run the installed package against a real Gatehouse, once with the machine's
// system Node (20 here: resource servers run older Node than the auth server) and once with the
// pinned Node 24. The SDK verifies a real token and follows the revocation feed until a revoked
// session's token is refused; the browser helper logs in with the password grant.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createClient } from '../../src/core/clients/create-client.ts';
import { repoRoot } from '../support/cli-process.ts';
import { testPassword } from '../support/core-deps.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';

const run = promisify(execFile);
const audience = 'https://api.example.com';
const email = 'package@example.com';
/** Hang guards only: npm and tsc are slow on a loaded machine. */
const commandTimeoutMs = 240_000;

interface PackResult {
  name: string;
  filename: string;
  files: { path: string }[];
}

/** The Node binaries to run the installed packages with: the system one (`which -a node`, not the pinned one) and the pinned Node 24. */
async function nodeBinaries(): Promise<{ label: string; path: string; version: string }[]> {
  const pinned = realpathSync(process.execPath);
  const { stdout } = await run('which', ['-a', 'node']);
  const system = stdout
    .split('\n')
    .filter(Boolean)
    .find((candidate) => realpathSync(candidate) !== pinned && !candidate.includes('node_modules'));
  assert.ok(system, `no system Node besides the pinned one on PATH (${stdout.trim()})`);
  const version = async (path: string): Promise<string> => (await run(path, ['--version'])).stdout.trim();
  return [
    { label: 'system', path: system, version: await version(system) },
    { label: 'pinned', path: pinned, version: await version(pinned) },
  ];
}

/** An empty app: a package.json and nothing else, outside the repository (so npm never sees the workspace). */
function emptyApp(root: string, name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }, null, 2));
  return dir;
}

/** `npm install` of one tarball; jose comes from the local npm cache (`npm ci` put it there). */
async function installTarball(app: string, tarball: string): Promise<void> {
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', tarball], { cwd: app, timeout: commandTimeoutMs });
}

/** `npm ls --all` as nested name -> dependencies, without versions. */
async function installedTree(app: string): Promise<unknown> {
  const { stdout } = await run('npm', ['ls', '--all', '--json'], { cwd: app, timeout: commandTimeoutMs });
  const strip = (deps: Record<string, { dependencies?: Record<string, unknown> }> | undefined): Record<string, unknown> =>
    Object.fromEntries(Object.entries(deps ?? {}).map(([name, dep]) => [name, strip(dep.dependencies as never)]));
  return strip((JSON.parse(stdout) as { dependencies?: Record<string, { dependencies?: Record<string, unknown> }> }).dependencies);
}

/** Runs `script` in the app with one Node binary; hands each JSON line it prints to `onLine`, resolves with all of them. */
function runScript(node: string, app: string, script: string, input: unknown, onLine: (line: Record<string, unknown>) => Promise<void> | void = () => undefined): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [script, JSON.stringify(input)], { cwd: app, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const guard = setTimeout(() => child.kill('SIGKILL'), commandTimeoutMs);
    const lines: Record<string, unknown>[] = [];
    let stderr = '';
    let pending: Promise<void> = Promise.resolve();
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    createInterface({ input: child.stdout }).on('line', (text) => {
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      pending = pending.then(() => onLine(line)).catch((error: unknown) => {
        child.kill('SIGKILL');
        reject(error as Error);
      });
    });
    child.on('close', (code) => {
      clearTimeout(guard);
      void pending.then(() => (code === 0 ? resolve(lines) : reject(new Error(`${node} ${script} exited ${code}: ${stderr}`))));
    });
  });
}

/** What a resource server writes: verify, follow the feed, and report the refusal once this session's revocation arrives. */
const sdkScript = `import { createVerifier, GatehouseTokenError } from '@gatehouse/sdk';
const { issuer, audience, clientId, clientSecret, accessToken } = JSON.parse(process.argv[2]);
let revoked = () => {};
const verifier = createVerifier({
  issuer,
  audience,
  revocationFeed: { clientId, clientSecret, onRevocation: (entry) => revoked(entry) },
});
await verifier.ready();
const claims = await verifier.verify(accessToken);
const arrived = new Promise((resolve) => { revoked = (entry) => { if (entry.sid === claims.sid) resolve(); }; });
console.log(JSON.stringify({ step: 'verified', node: process.version, sub: claims.sub, sid: claims.sid, iss: claims.iss }));
await arrived;
try {
  await verifier.verify(accessToken);
  console.log(JSON.stringify({ step: 'accepted' }));
} catch (error) {
  console.log(JSON.stringify({ step: 'refused', code: error instanceof GatehouseTokenError ? error.code : String(error) }));
}
verifier.close();
`;

/** A browser app's login, run in Node (the helper needs only fetch): the access token stays in memory. */
const browserScript = `import { createBrowserAuth, GatehouseBrowserError } from '@gatehouse/browser';
const { issuer, email, password } = JSON.parse(process.argv[2]);
const auth = createBrowserAuth({ clientId: 'web', issuer, locks: null });
try {
  await auth.getAccessToken();
  console.log(JSON.stringify({ step: 'unexpected token before login' }));
} catch (error) {
  console.log(JSON.stringify({ step: 'before login', code: error instanceof GatehouseBrowserError ? error.code : String(error) }));
}
await auth.logIn(email, password);
console.log(JSON.stringify({ step: 'logged in', node: process.version, accessToken: await auth.getAccessToken() }));
`;

/** The installed types, as a TypeScript user of the package compiles against them. */
const typesCheck: Record<string, string> = {
  sdk: `import { createVerifier, type AccessTokenClaims, type Verifier } from '@gatehouse/sdk';
const verifier: Verifier = createVerifier({ issuer: 'https://auth.example.com', audience: 'https://api.example.com' });
export const sub = async (token: string): Promise<string> => ((await verifier.verify(token)) satisfies AccessTokenClaims).sub;
`,
  browser: `import { createBrowserAuth, GatehouseBrowserError, type BrowserAuth } from '@gatehouse/browser';
const auth: BrowserAuth = createBrowserAuth({ clientId: 'web' });
export const token = (): Promise<string> => auth.getAccessToken().catch((error: unknown) => { throw error instanceof GatehouseBrowserError ? error : new Error(String(error)); });
`,
};

describe('@gatehouse/sdk and @gatehouse/browser: packed, installed into an empty app, run on the system Node and on Node 24', () => {
  let workDir: string;
  let packed: Record<'sdk' | 'browser', PackResult & { path: string }>;
  let apps: Record<'sdk' | 'browser', string>;
  let nodes: Awaited<ReturnType<typeof nodeBinaries>>;
  let server: TestServer;
  let apiSecret: string;

  before(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'gatehouse-packages-'));
    // npm pack runs each package's prepack script, the tsc build: what is packed is built from the current sources.
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', workDir, '--workspace', 'packages/sdk', '--workspace', 'packages/browser'], {
      cwd: repoRoot,
      timeout: commandTimeoutMs,
    });
    const results = JSON.parse(stdout) as PackResult[];
    const byName = (name: string) => {
      const result = results.find((r) => r.name === name) ?? assert.fail(`${name} was not packed`);
      return { ...result, path: join(workDir, result.filename) };
    };
    packed = { sdk: byName('@gatehouse/sdk'), browser: byName('@gatehouse/browser') };
    apps = { sdk: emptyApp(workDir, 'resource-server'), browser: emptyApp(workDir, 'browser-app') };
    await Promise.all([installTarball(apps.sdk, packed.sdk.path), installTarball(apps.browser, packed.browser.path)]);
    writeFileSync(join(apps.sdk, 'check.mjs'), sdkScript);
    writeFileSync(join(apps.browser, 'check.mjs'), browserScript);
    nodes = await nodeBinaries();

    server = await startTestServer();
    await createClient(server.gatehouse.deps, { id: 'spa', name: 'SPA', type: 'public', grantTypes: ['password', 'refresh_token'], audience });
    await createClient(server.gatehouse.deps, { id: 'web', name: 'Web', type: 'public', grantTypes: ['password', 'refresh_token'], audience, refreshTokenDelivery: 'cookie' });
    apiSecret = (await createClient(server.gatehouse.deps, { id: 'notes-api', name: 'Notes API', type: 'confidential', grantTypes: ['session'], audience })).secret as string;
    const signUp = await fetch(`${server.url}/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email, password: testPassword }),
    });
    assert.equal(signUp.status, 202);
  });
  after(async () => {
    await server?.close();
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  });

  it('each tarball holds compiled ESM, .d.ts and source maps, its README and package.json; no tests, no server code', () => {
    for (const [name, result] of Object.entries(packed)) {
      const files = result.files.map((file) => file.path);
      for (const required of ['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/index.js.map', 'dist/index.d.ts.map']) {
        assert.ok(files.includes(required), `${name}: ${required} missing from ${files.join(', ')}`);
      }
      for (const file of files) assert.match(file, /^(package\.json|README\.md|dist\/[a-z0-9/-]+\.(js|d\.ts|js\.map|d\.ts\.map)|src\/[a-z0-9/-]+\.ts)$/, `${name}: unexpected ${file}`);
      assert.ok(files.filter((file) => file.endsWith('.js')).length === files.filter((file) => file.startsWith('src/')).length, `${name}: one .js per source file`);
    }
  });

  it('the manifests are fit to publish: scoped name, version, ESM exports map with types, Node >= 20, files', () => {
    for (const [name, app] of Object.entries(apps)) {
      const manifest = JSON.parse(readFileSync(join(app, 'node_modules', '@gatehouse', name, 'package.json'), 'utf8')) as Record<string, unknown>;
      assert.equal(manifest['name'], `@gatehouse/${name}`);
      assert.match(String(manifest['version']), /^\d+\.\d+\.\d+$/);
      assert.equal(manifest['type'], 'module');
      assert.equal(manifest['private'], undefined);
      assert.deepEqual((manifest['exports'] as Record<string, unknown>)['.'], { types: './dist/index.d.ts', default: './dist/index.js' });
      assert.deepEqual(manifest['engines'], { node: '>=20' });
      assert.equal(manifest['license'], 'MIT');
    }
  });

  it('installs jose and nothing else for the SDK, nothing at all for the browser helper', async () => {
    assert.deepEqual(await installedTree(apps.sdk), { '@gatehouse/sdk': { jose: {} } });
    assert.deepEqual(await installedTree(apps.browser), { '@gatehouse/browser': {} });
  });

  it('the installed types compile in a strict TypeScript app (exports map -> .d.ts)', async () => {
    for (const [name, app] of Object.entries(apps)) {
      writeFileSync(join(app, 'check-types.ts'), typesCheck[name]!);
      const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
      const args = ['--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022', '--typeRoots', join(repoRoot, 'node_modules', '@types'), '--types', 'node', 'check-types.ts'];
      await run(process.execPath, [tsc, ...args], { cwd: app, timeout: commandTimeoutMs }).catch((error: { stdout?: string }) => assert.fail(`${name}: ${error.stdout ?? String(error)}`));
    }
  });

  it('CommonJS code can require() both packages on a Node that loads ES modules from require (20.19+, 22.12+), as the README says', async () => {
    const canRequireEsm = (version: string): boolean => {
      const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
      return major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);
    };
    for (const node of nodes.filter((n) => canRequireEsm(n.version))) {
      for (const [name, app] of Object.entries(apps)) {
        const exported = name === 'sdk' ? 'createVerifier' : 'createBrowserAuth';
        const { stdout } = await run(node.path, ['-e', `process.stdout.write(typeof require('@gatehouse/${name}').${exported})`], { cwd: app, timeout: commandTimeoutMs });
        assert.equal(stdout, 'function', `${name} on ${node.version}`);
      }
    }
  });

  it('the SDK verifies a real token and refuses it once its session is revoked through the feed, on each Node', async () => {
    assert.equal(nodes.length, 2);
    assert.notEqual(nodes[0]!.version, nodes[1]!.version, `two different Node versions (${nodes.map((n) => n.version).join(', ')})`);
    for (const node of nodes) {
      const tokens = (await (
        await fetch(`${server.url}/v1/token`, {
          method: 'POST',
          body: new URLSearchParams({ grant_type: 'password', username: email, password: testPassword, client_id: 'spa' }),
        })
      ).json()) as { access_token: string; refresh_token: string };
      const input = { issuer: server.url, audience, clientId: 'notes-api', clientSecret: apiSecret, accessToken: tokens.access_token };
      const lines = await runScript(node.path, apps.sdk, 'check.mjs', input, async (line) => {
        if (line['step'] !== 'verified') return;
        // The user logs out (the refresh token is revoked, which ends its session): the feed carries it to the SDK.
        const revoked = await fetch(`${server.url}/v1/token/revoke`, { method: 'POST', body: new URLSearchParams({ token: tokens.refresh_token, client_id: 'spa' }) });
        assert.equal(revoked.status, 200);
      });
      const user = await server.gatehouse.store.users.findByEmail(email);
      assert.deepEqual(lines[0], { step: 'verified', node: node.version, sub: user?.id, sid: lines[0]?.['sid'], iss: server.url }, node.label);
      assert.match(String(lines[0]?.['sid']), /.+/);
      assert.deepEqual(lines[1], { step: 'refused', code: 'token_revoked' }, `${node.label} ${node.version}`);
    }
  });

  it('the browser helper logs in against the real server and hands out the access token, on each Node', async () => {
    for (const node of nodes) {
      const lines = await runScript(node.path, apps.browser, 'check.mjs', { issuer: server.url, email, password: testPassword });
      assert.deepEqual(lines[0], { step: 'before login', code: 'login_required' }, node.label);
      assert.equal(lines[1]?.['step'], 'logged in', node.label);
      assert.equal(lines[1]?.['node'], node.version);
      assert.match(String(lines[1]?.['accessToken']), /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    }
  });
});
