import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/load-config.ts';
import { passkeyPolicy } from '../../src/main.ts';

const base = { GATEHOUSE_PUBLIC_URL: 'https://auth.example.com', GATEHOUSE_SECRET: randomBytes(32).toString('base64') };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ env: { ...base, ...env } });
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return [...error.problems];
  }
}

describe('passkey settings (docs/configuration.md, docs/security.md SEC-173, SEC-174, SEC-177)', () => {
  it('by default: the RP ID is the public URL host, the public URL the only origin, attestation none', () => {
    const policy = passkeyPolicy(loadConfig({ env: base }));
    assert.equal(policy.rpId, 'auth.example.com');
    assert.deepEqual(policy.origins, ['https://auth.example.com']);
    assert.equal(policy.attestation, 'none');
  });

  it('takes a parent domain as the RP ID and extra origins on it, beside the public URL', () => {
    const config = loadConfig({ env: { ...base, GATEHOUSE_PASSKEY_RP_ID: 'example.com', GATEHOUSE_PASSKEY_ORIGINS: 'https://app.example.com,https://example.com', GATEHOUSE_PASSKEY_ATTESTATION: 'direct' } });
    const policy = passkeyPolicy(config);
    assert.equal(policy.rpId, 'example.com');
    assert.deepEqual(policy.origins, ['https://auth.example.com', 'https://app.example.com', 'https://example.com']);
    assert.equal(policy.attestation, 'direct');
  });

  it('refuses an RP ID that does not cover the public URL host, or a single label above it', () => {
    for (const rpId of ['other.example', 'xample.com', 'app.auth.example.com', 'com']) {
      const problems = problemsOf({ GATEHOUSE_PASSKEY_RP_ID: rpId });
      assert.ok(problems.some((p) => p.startsWith('passkeys.rpId (GATEHOUSE_PASSKEY_RP_ID)')), `${rpId}: ${problems.join('; ')}`);
    }
    // localhost is fine as the host itself (dev mode's http://localhost:PORT).
    assert.deepEqual(problemsOf({ GATEHOUSE_PUBLIC_URL: 'http://localhost:3000', GATEHOUSE_PASSKEY_RP_ID: 'localhost' }), []);
  });

  it('refuses an extra origin that is not on the RP ID, or not https (a browser would never let it answer)', () => {
    for (const origin of ['https://evil.example', 'https://example.com', 'http://app.auth.example.com', 'https://auth.example.com.evil.example']) {
      const problems = problemsOf({ GATEHOUSE_PASSKEY_ORIGINS: origin });
      assert.ok(problems.some((p) => p.startsWith('passkeys.origins (GATEHOUSE_PASSKEY_ORIGINS)') && p.includes(origin)), `${origin}: ${problems.join('; ')}`);
    }
    assert.deepEqual(problemsOf({ GATEHOUSE_PASSKEY_ORIGINS: 'https://app.auth.example.com' }), []);
    assert.deepEqual(problemsOf({ GATEHOUSE_PUBLIC_URL: 'http://localhost:3000', GATEHOUSE_PASSKEY_ORIGINS: 'http://localhost:5173' }), []);
  });

  it('refuses an attestation other than none or direct, and an origin that is not a bare origin', () => {
    assert.ok(problemsOf({ GATEHOUSE_PASSKEY_ATTESTATION: 'indirect' }).some((p) => p.startsWith('passkeys.attestation')));
    assert.ok(problemsOf({ GATEHOUSE_PASSKEY_ORIGINS: 'https://app.auth.example.com/path' }).some((p) => p.startsWith('passkeys.origins')));
  });
});
