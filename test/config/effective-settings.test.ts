import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectiveSettings, redactedMark } from '../../src/config/effective-settings.ts';
import { loadConfig } from '../../src/config/load-config.ts';

const serverSecret = 'a-server-secret-of-more-than-32-characters-0123';
const env = {
  GATEHOUSE_SECRET: serverSecret,
  GATEHOUSE_PUBLIC_URL: 'https://auth.example.com',
  GATEHOUSE_DATABASE: 'postgres://gatehouse:db-password-1234@db.internal:5432/gatehouse',
  GATEHOUSE_REDIS: 'redis://:redis-password-5678@redis.internal:6379',
  GATEHOUSE_SMTP_HOST: 'smtp.example.com',
  GATEHOUSE_SMTP_USER: 'mailer',
  GATEHOUSE_SMTP_PASSWORD: 'smtp-password-9012',
  GATEHOUSE_OAUTH_GITHUB: 'gh-client-id:gh-client-secret-3456',
  GATEHOUSE_CONSOLE_IDLE_TIMEOUT_SECONDS: '600',
};

describe('effectiveSettings', () => {
  it('lists every setting with its value in effect; secrets and URL passwords are only the mark (SEC-279)', () => {
    const rows = effectiveSettings(loadConfig({ env }));
    const byEnv = new Map(rows.map((r) => [r.env, r]));
    assert.equal(byEnv.get('GATEHOUSE_CONSOLE_IDLE_TIMEOUT_SECONDS')?.value, '600');
    assert.equal(byEnv.get('GATEHOUSE_PUBLIC_URL')?.value, 'https://auth.example.com');
    assert.equal(byEnv.get('GATEHOUSE_DATABASE')?.value, `postgres://gatehouse:${redactedMark}@db.internal:5432/gatehouse`);
    for (const name of ['GATEHOUSE_SECRET', 'GATEHOUSE_REDIS', 'GATEHOUSE_SMTP_PASSWORD', 'GATEHOUSE_OAUTH_GITHUB']) {
      assert.equal(byEnv.get(name)?.value, redactedMark, name);
      assert.equal(byEnv.get(name)?.secret, true, name);
    }
    const everything = JSON.stringify(rows);
    for (const secret of [serverSecret, 'db-password-1234', 'redis-password-5678', 'smtp-password-9012', 'gh-client-secret-3456']) assert.ok(!everything.includes(secret), secret);
  });
});
