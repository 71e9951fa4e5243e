import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { cliEnv, makeTempDir, runCli } from '../support/cli-process.ts';

/**
 * `gatehouse serve` on a port that is taken (a second `npm start`, say): exit 1 with a sentence
 * that names the port and the setting that moves it, not a bare EADDRINUSE.
 */

function holdPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      resolve({ server, port: address !== null && typeof address === 'object' ? address.port : 0 });
    });
  });
}

describe('gatehouse serve on a port in use', () => {
  const dir = makeTempDir('gatehouse-serve-ports-');
  let held: { server: Server; port: number };
  before(async () => {
    held = await holdPort();
  });
  after(() => {
    held?.server.close();
    dir.remove();
  });

  it("Gatehouse's own port: exit 1 naming the port and PORT, no stack trace", async () => {
    const result = await runCli(['serve'], { env: cliEnv(dir.database, { PORT: String(held.port) }) });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stderr, new RegExp(`^gatehouse: port ${String(held.port)} on 127\\.0\\.0\\.1 is in use \\(is another Gatehouse running\\?\\)\\. Set PORT to another port\\.`, 'm'));
    assert.ok(!result.stderr.includes('    at '), `no stack trace:\n${result.stderr}`);
    assert.doesNotMatch(result.stdout, /Gatehouse is running/);
  });

  it('dev mode, the demo IdP on PORT + 1 taken (a second `npm start`): says that PORT moves all three', async () => {
    const result = await runCli(['serve', '--dev'], {
      env: cliEnv(dir.database, { PORT: String(held.port - 1), GATEHOUSE_PUBLIC_URL: undefined, GATEHOUSE_SECRET: undefined, GATEHOUSE_DEMO_RP: 'false' }),
    });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stderr, new RegExp(`the demo IdP could not start: port ${String(held.port)} is in use \\(PORT \\+ 1: is another Gatehouse running\\? PORT moves Gatehouse and both demo apps\\)`));
  });
});
