// The console: JSON lines in production, short human lines in dev mode (src/main.ts createLogger).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config/load-config.ts';
import { createGatehouse, createLogger } from '../src/main.ts';

function capture(): { sink: Writable; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { sink, lines };
}

describe('createLogger', () => {
  it('production: one JSON object a line', () => {
    const { sink, lines } = capture();
    createLogger({ logLevel: 'info', dev: false }, sink).info({ kid: 'k1' }, 'signing key rotated');
    assert.equal(lines.length, 1);
    const entry = JSON.parse(lines[0]!);
    assert.equal(entry.msg, 'signing key rotated');
    assert.equal(entry.kid, 'k1');
  });

  it('dev mode: a short human line (time, level, message), no JSON, no colours into a captured stream', () => {
    const { sink, lines } = capture();
    createLogger({ logLevel: 'info', dev: true }, sink).warn({ kid: 'k1' }, 'signing key rotated');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^\[\d\d:\d\d:\d\d\] WARN: signing key rotated \{"kid":"k1"\}$/);
  });

  it('dev mode: one line per request (method, path without the query, status, time), secrets still redacted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-logger-'));
    const { sink, lines } = capture();
    try {
      const config = loadConfig({ env: { GATEHOUSE_DATABASE: join(dir, 'g.db'), GATEHOUSE_SECRET: 'kq3X9vT2mZ8pL4wR7nB1cY6hJ0dF5gS2aE8uW3iO', GATEHOUSE_LOG_LEVEL: 'info', GATEHOUSE_DEMO_IDP: 'false' }, dev: true });
      const gatehouse = await createGatehouse(config, createLogger(config, sink));
      try {
        const before = lines.length;
        const response = await gatehouse.app.inject({ method: 'GET', url: '/verify?token=one-time-secret-in-the-query' });
        assert.equal(response.statusCode, 400);
        const requestLines = lines.slice(before);
        assert.equal(requestLines.length, 1, requestLines.join('\n'));
        assert.match(requestLines[0]!, /^\[\d\d:\d\d:\d\d\] INFO: GET \/verify 400 \d+ ms$/);
        assert.ok(!lines.join('\n').includes('one-time-secret'), 'the query string is never logged');
      } finally {
        await gatehouse.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
