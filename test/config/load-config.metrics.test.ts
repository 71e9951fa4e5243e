import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/load-config.ts';

const base = { GATEHOUSE_PUBLIC_URL: 'https://auth.example.com', GATEHOUSE_SECRET: randomBytes(32).toString('base64') };

describe('loadConfig: GATEHOUSE_METRICS_TOKEN', () => {
  it('is off by default', () => {
    assert.equal(loadConfig({ env: base }).metrics.token, '');
  });

  it('takes a random token of at least 32 characters', () => {
    const token = randomBytes(32).toString('base64url');
    assert.equal(loadConfig({ env: { ...base, GATEHOUSE_METRICS_TOKEN: token } }).metrics.token, token);
  });

  it('refuses a short or guessable token, as it does a weak server secret (SEC-296)', () => {
    for (const token of ['short-token', 'a'.repeat(40), 'metricsmetricsmetricsmetricsmetrics']) {
      assert.throws(
        () => loadConfig({ env: { ...base, GATEHOUSE_METRICS_TOKEN: token } }),
        (error: unknown) => error instanceof ConfigError && error.problems.some((p) => p.startsWith('metrics.token (GATEHOUSE_METRICS_TOKEN)')) && !error.message.includes(token),
        token,
      );
    }
  });
});
