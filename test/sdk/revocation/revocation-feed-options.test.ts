import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVerifier } from '../../../packages/sdk/src/index.ts';
import { basicAuthorization, resolveRevocationFeedOptions } from '../../../packages/sdk/src/revocation/revocation-feed-options.ts';
import { audience, issuer } from '../support/tokens.ts';

const valid = { clientId: 'cli_api', clientSecret: 'secret' };

describe('revocationFeed options', () => {
  it('lists every problem at once, unknown keys included', () => {
    assert.throws(
      () =>
        createVerifier({
          issuer,
          audience,
          jwks: () => assert.fail('never resolved'),
          revocationFeed: { clientId: '', clientSecret: 5, url: 'http://feed.example.test/v1/revocations', maxStalenessMs: 0, onError: 'log', staleness: 1 } as never,
        }),
      (error: unknown) => {
        assert.ok(error instanceof TypeError);
        for (const expected of [
          'unknown option "revocationFeed.staleness"',
          'revocationFeed.clientId must be a non-empty string',
          'revocationFeed.clientSecret must be a non-empty string',
          'revocationFeed.maxStalenessMs must be a number of milliseconds > 0',
          'revocationFeed.onError must be a function',
          'revocationFeed.url must use https (http only on a loopback host)',
        ]) {
          assert.ok(error.message.includes(expected), `${expected}\n in: ${error.message}`);
        }
        return true;
      },
    );
  });

  it('refuses a feed that is not an object, credentials in the url, and a delay Node timers cannot hold', () => {
    assert.deepEqual(resolveRevocationFeedOptions('yes', issuer)[1], ['revocationFeed must be an object']);
    assert.deepEqual(resolveRevocationFeedOptions({ ...valid, url: 'https://cli:secret@auth.example.test/v1/revocations' }, issuer)[1], ['revocationFeed.url must not contain credentials']);
    assert.equal(resolveRevocationFeedOptions({ ...valid, maxStalenessMs: 2 ** 31 }, issuer)[1].length, 1);
    assert.equal(resolveRevocationFeedOptions({ ...valid, maxStalenessMs: Number.NaN }, issuer)[1].length, 1);
  });

  it('defaults: url `${issuer}/v1/revocations` (trailing slashes dropped), maxStalenessMs 30 s', () => {
    const [resolved, problems] = resolveRevocationFeedOptions(valid, 'https://auth.example.test//');
    assert.deepEqual(problems, []);
    assert.equal(resolved?.url.href, 'https://auth.example.test/v1/revocations');
    assert.equal(resolved?.maxStalenessMs, 30_000);
    assert.equal(resolved?.startupTimeoutMs, 5_000, 'the first request waits at most 5 s for the feed (SEC-114)');
    assert.equal(resolveRevocationFeedOptions({ ...valid, maxStalenessMs: 2_000 }, issuer)[0]?.startupTimeoutMs, 2_000);
    assert.equal(resolveRevocationFeedOptions({ ...valid, startupTimeoutMs: 60_000 }, issuer)[1].length, 1, 'not longer than maxStalenessMs');
    assert.ok(Object.isFrozen(resolved));
  });

  it('a default url from an http issuer that is not loopback is refused (SEC-81)', () => {
    assert.deepEqual(resolveRevocationFeedOptions(valid, 'http://auth.example.test')[1], ['the default revocationFeed.url (from issuer) must use https (http only on a loopback host)']);
  });

  it('keeps the secret only inside the Authorization header value', () => {
    const [resolved] = resolveRevocationFeedOptions(valid, issuer);
    assert.deepEqual(Object.keys(resolved ?? {}).sort(), ['authorization', 'maxStalenessMs', 'onError', 'onRevocation', 'startupTimeoutMs', 'url']);
  });
});

describe('basicAuthorization (RFC 6749 2.3.1)', () => {
  it('form-urlencodes the client id and secret, then joins them with ":" and base64-encodes', () => {
    const header = basicAuthorization('cli:notes api', 'sé cret+/%*-._~');
    assert.equal(Buffer.from(header.slice('Basic '.length), 'base64').toString('latin1'), 'cli%3Anotes+api:s%C3%A9+cret%2B%2F%25*-._%7E');
    assert.equal(basicAuthorization('cli_api', 'secret'), `Basic ${Buffer.from('cli_api:secret').toString('base64')}`);
  });
});
