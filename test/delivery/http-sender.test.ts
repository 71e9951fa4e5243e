import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createHttpSender, type HttpSenderOptions } from '../../src/delivery/http-sender.ts';

/** A real local receiver that records what reached it. */
async function receiver(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string; hits: { headers: IncomingMessage['headers']; body: string }[] }> {
  const hits: { headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      hits.push({ headers: req.headers, body });
      handle(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

const loopbackAllowed: HttpSenderOptions = { timeoutMs: 5_000, maxResponseBytes: 1024, allowedNetworks: ['loopback'] };
const request = (url: string) => ({ url, headers: { 'x-test': '1' }, body: '{"hello":"world"}' });

// Hang guard only (a sender without its timeout would wait for the silent receiver forever).
describe('createHttpSender', { timeout: 60_000 }, () => {
  let ok: Awaited<ReturnType<typeof receiver>>;
  let failing: Awaited<ReturnType<typeof receiver>>;
  let redirecting: Awaited<ReturnType<typeof receiver>>;
  let huge: Awaited<ReturnType<typeof receiver>>;
  let silent: Awaited<ReturnType<typeof receiver>>;

  before(async () => {
    ok = await receiver((_req, res) => res.writeHead(204).end());
    failing = await receiver((_req, res) => res.writeHead(500).end('boom'));
    redirecting = await receiver((_req, res) => res.writeHead(307, { location: `${ok.url}/elsewhere` }).end());
    // An endless answer: the sender must stop reading, not buffer it.
    huge = await receiver((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = 'x'.repeat(16 * 1024);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('error', () => undefined);
      pump();
    });
    silent = await receiver(() => undefined);
  });
  after(() => {
    for (const r of [ok, failing, redirecting, huge, silent]) r.server.closeAllConnections();
    for (const r of [ok, failing, redirecting, huge, silent]) r.server.close();
  });

  it('POSTs the body and headers to an allowed loopback receiver over plain http', async () => {
    const result = await createHttpSender(loopbackAllowed).send(request(`${ok.url}/hook`));
    assert.deepEqual(result, { ok: true, status: 204 });
    const hit = ok.hits.at(-1);
    assert.equal(hit?.body, '{"hello":"world"}');
    assert.equal(hit?.headers['x-test'], '1');
  });

  it('reports a non-2xx answer as a failure with its status', async () => {
    assert.deepEqual(await createHttpSender(loopbackAllowed).send(request(failing.url)), { ok: false, status: 500, error: 'status_500' });
  });

  it('refuses loopback, private and link-local addresses unless allowed, by literal or by name, before connecting (SEC-285)', async () => {
    const before = ok.hits.length;
    const strict = createHttpSender({ ...loopbackAllowed, allowedNetworks: [] });
    assert.deepEqual(await strict.send(request(ok.url)), { ok: false, status: null, error: 'address_not_allowed' });
    for (const url of ['https://10.0.0.1/x', 'https://169.254.169.254/latest/meta-data', 'https://[::1]/x', 'https://[fd00::1]/x', 'https://[::ffff:127.0.0.1]/x', 'https://0.0.0.0/x']) {
      assert.deepEqual(await strict.send(request(url)), { ok: false, status: null, error: 'address_not_allowed' }, url);
    }
    // A name is resolved and every address it answers is checked: one private address is enough to refuse.
    const port = new URL(ok.url).port;
    const resolvingTo = (...addresses: string[]) =>
      createHttpSender({ ...loopbackAllowed, allowedNetworks: [], lookup: (_host, cb) => cb(null, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))) });
    assert.deepEqual(await resolvingTo('127.0.0.1').send(request(`http://hooks.example.test:${port}/`)), { ok: false, status: null, error: 'address_not_allowed' });
    assert.deepEqual(await resolvingTo('93.184.216.34', '192.168.1.10').send(request('https://hooks.example.test/')), { ok: false, status: null, error: 'address_not_allowed' });
    assert.equal(ok.hits.length, before, 'nothing reached the loopback receiver');
    // The operator's allowance opens exactly the listed network.
    const narrow = createHttpSender({ ...loopbackAllowed, allowedNetworks: ['10.1.0.0/16'] });
    assert.deepEqual(await narrow.send(request(ok.url)), { ok: false, status: null, error: 'address_not_allowed' });
  });

  it('does not follow a redirect (SEC-286)', async () => {
    const before = ok.hits.length;
    assert.deepEqual(await createHttpSender(loopbackAllowed).send(request(redirecting.url)), { ok: false, status: 307, error: 'redirect_not_followed' });
    assert.equal(ok.hits.length, before, 'the redirect target was not called');
  });

  it('stops reading an answer larger than the cap (SEC-287)', async () => {
    assert.deepEqual(await createHttpSender(loopbackAllowed).send(request(huge.url)), { ok: false, status: 200, error: 'response_too_large' });
  });

  it('gives up on a receiver that does not answer in time (SEC-288)', async () => {
    assert.deepEqual(await createHttpSender({ ...loopbackAllowed, timeoutMs: 300 }).send(request(silent.url)), { ok: false, status: null, error: 'timeout' });
  });

  it('sends plain http only to an allowed loopback address; other schemes and URLs with credentials never (SEC-289)', async () => {
    const publicName = createHttpSender({ ...loopbackAllowed, lookup: (_host, cb) => cb(null, [{ address: '93.184.216.34', family: 4 }]) });
    assert.deepEqual(await publicName.send(request('http://hooks.example.test/')), { ok: false, status: null, error: 'plain_http_refused' });
    assert.deepEqual(await publicName.send(request('http://93.184.216.34/')), { ok: false, status: null, error: 'plain_http_refused' });
    for (const url of ['ftp://hooks.example.test/', 'file:///etc/passwd', 'gopher://127.0.0.1/']) {
      assert.deepEqual(await publicName.send(request(url)), { ok: false, status: null, error: 'scheme_not_allowed' }, url);
    }
    assert.deepEqual(await publicName.send(request('https://user:pw@hooks.example.test/')), { ok: false, status: null, error: 'credentials_in_url' });
    assert.deepEqual(await publicName.send(request('not a url')), { ok: false, status: null, error: 'invalid_url' });
  });

  it('reports a refused connection as a failure to retry', async () => {
    const closed = await receiver(() => undefined);
    const url = closed.url;
    await new Promise<void>((resolve) => closed.server.close(() => resolve()));
    const result = await createHttpSender(loopbackAllowed).send(request(url));
    assert.deepEqual(result, { ok: false, status: null, error: 'connection_failed: ECONNREFUSED' });
  });
});
