import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { addWebhookEndpoint } from '../../../src/core/webhooks/add-webhook-endpoint.ts';
import { webhookKeys } from '../../../src/core/webhooks/webhook-secret.ts';
import { parsePrometheusText, type Exposition } from '../../support/prometheus-text.ts';
import { startTestServer, type TestServer } from '../../support/start-server.ts';

const token = randomBytes(32).toString('base64url');
const password = 'correct horse battery staple';

describe('GET /metrics (GATEHOUSE_METRICS_TOKEN set)', () => {
  let server: TestServer;
  let webhookHits = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      webhookHits++;
      res.writeHead(204).end();
    });
  });

  before(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    server = await startTestServer({ env: { GATEHOUSE_METRICS_TOKEN: token, GATEHOUSE_DELIVERY_ALLOWED_NETWORKS: 'loopback' } });
  });
  after(async () => {
    await server.close();
    receiver.close();
  });

  const scrape = async (): Promise<Exposition> => {
    const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await response.text());
  };
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url }, body: JSON.stringify(body) });

  it('refuses a scrape without the token, with another token, or with another scheme (SEC-295)', async () => {
    for (const authorization of [undefined, `Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`, 'Bearer ', `Basic ${token}`, `bearer  ${token}`, token]) {
      const response = await fetch(`${server.url}/metrics`, { headers: authorization === undefined ? {} : { authorization } });
      assert.equal(response.status, 401, String(authorization));
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="metrics"');
      const body = (await response.json()) as { code: string };
      assert.equal(body.code, 'unauthenticated');
    }
  });

  it('parses as the Prometheus text format, with the process metrics and every Gatehouse family', async () => {
    const exposition = await scrape();
    for (const [name, type] of [
      ['gatehouse_http_request_duration_seconds', 'histogram'],
      ['gatehouse_logins_total', 'counter'],
      ['gatehouse_second_factor_total', 'counter'],
      ['gatehouse_token_grants_total', 'counter'],
      ['gatehouse_throttle_lockouts_total', 'counter'],
      ['gatehouse_mail_total', 'counter'],
      ['gatehouse_webhook_deliveries_total', 'counter'],
      ['gatehouse_active_sessions', 'gauge'],
      ['gatehouse_webhook_backlog', 'gauge'],
      ['gatehouse_revocation_feed_subscribers', 'gauge'],
      ['gatehouse_revocation_feed_lag', 'gauge'],
      ['process_cpu_user_seconds_total', 'counter'],
      ['nodejs_heap_size_used_bytes', 'gauge'],
    ]) assert.equal(exposition.types.get(name as string), type, name);
  });

  it('counters move with real traffic, labelled by route pattern, never by a raw URL or a user (SEC-297)', async () => {
    const before = await scrape();
    const email = `metrics-${randomBytes(4).toString('hex')}@example.com`;
    assert.equal((await post('/v1/users', { email, password })).status, 202);
    const login = await post('/v1/session', { email, password });
    assert.equal(login.status, 200);
    assert.equal((await post('/v1/session', { email, password: 'not the password, but long' })).status, 401);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const sessionId = 'AAAAAAAAAAAAAAAAAAAAAA';
    assert.equal((await fetch(`${server.url}/v1/sessions/${sessionId}`, { method: 'DELETE', headers: { cookie, origin: server.url } })).status, 404);
    // Repeated checks are answered from memory without fastify's send pipeline (direct-reply.ts):
    // they are counted all the same.
    for (let i = 0; i < 3; i++) assert.equal((await fetch(`${server.url}/v1/session`, { headers: { cookie } })).status, 200);
    const grant = await fetch(`${server.url}/v1/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token&refresh_token=nope&client_id=nope' });
    assert.ok(grant.status >= 400);
    const after = await scrape();

    const moved = (name: string, labels: Record<string, string>) => (after.sum(name, labels) ?? 0) - (before.sum(name, labels) ?? 0);
    assert.equal(moved('gatehouse_logins_total', { method: 'password', result: 'success' }), 1);
    assert.equal(moved('gatehouse_logins_total', { method: 'password', result: 'failure' }), 1);
    assert.equal(moved('gatehouse_token_grants_total', { grant_type: 'refresh_token', result: 'failure' }), 1);
    assert.equal(moved('gatehouse_http_request_duration_seconds_count', { route: '/v1/session', method: 'POST', status: '200' }), 1);
    assert.equal(moved('gatehouse_http_request_duration_seconds_count', { route: '/v1/sessions/:id', method: 'DELETE', status: '404' }), 1);
    assert.equal(moved('gatehouse_http_request_duration_seconds_count', { route: '/v1/session', method: 'GET', status: '200' }), 3);
    assert.ok((after.value('gatehouse_active_sessions') ?? 0) >= 1);
    const labelValues = after.samples.flatMap((s) => Object.values(s.labels));
    assert.ok(!labelValues.some((v) => v.includes(sessionId) || v.includes(email) || v.includes('@')), 'no id, email or user in any label');
  });

  it('counts webhook deliveries by result', async () => {
    const before = await scrape();
    const { gatehouse } = server;
    const deps = { store: gatehouse.store, clock: gatehouse.deps.clock, random: gatehouse.deps.random, webhookKeys: webhookKeys(server.config.secrets) };
    await addWebhookEndpoint(deps, { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`, events: ['user.created'] }, { ip: 'test', userAgent: 'test' });
    assert.equal((await post('/v1/users', { email: `hook-${randomBytes(4).toString('hex')}@example.com`, password })).status, 202);
    gatehouse.outbox.worker.wake();
    // Hang guard only.
    for (let i = 0; i < 400 && webhookHits === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    for (let i = 0; i < 400 && ((await scrape()).sum('gatehouse_webhook_deliveries_total', { result: 'delivered' }) ?? 0) === (before.sum('gatehouse_webhook_deliveries_total', { result: 'delivered' }) ?? 0); i++) await new Promise((resolve) => setTimeout(resolve, 25));
    const after = await scrape();
    assert.equal(after.sum('gatehouse_webhook_deliveries_total', { result: 'delivered' }) - before.sum('gatehouse_webhook_deliveries_total', { result: 'delivered' }), 1);
    assert.equal(after.value('gatehouse_webhook_backlog', { state: 'pending' }), 0);
  });
});

describe('GET /metrics without GATEHOUSE_METRICS_TOKEN', () => {
  it('does not exist (SEC-295)', async () => {
    const server = await startTestServer();
    try {
      const response = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer anything' } });
      assert.equal(response.status, 404);
      assert.ok(!server.gatehouse.app.printRoutes().includes('metrics'));
    } finally {
      await server.close();
    }
  });
});
