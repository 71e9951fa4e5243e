import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClaimsRequest, pickRequestedClaims } from '../../../src/core/oauth-provider/claims-request.ts';

describe('parseClaimsRequest (OIDC Core 5.5)', () => {
  it('reads the standard claims of id_token and userinfo, voluntary or essential, in the order asked', () => {
    assert.deepEqual(parseClaimsRequest('{"id_token":{"email":{"essential":true},"name":null,"auth_time":{"essential":true}},"userinfo":{"picture":null,"locale":{"essential":false}}}'), {
      idToken: ['email', 'name'],
      userinfo: ['picture', 'locale'],
    });
    assert.deepEqual(parseClaimsRequest('{}'), { idToken: [], userinfo: [] });
  });

  it('ignores claims Gatehouse does not hold, protocol claims and members it does not know (SEC-209)', () => {
    assert.deepEqual(parseClaimsRequest('{"id_token":{"phone_number":null,"address":{"essential":true},"acr":{"values":["urn:x"]},"sub":{"value":"u2"},"nonce":null},"other":{"x":1}}'), { idToken: [], userinfo: [] });
  });

  it('refuses malformed requests', () => {
    for (const text of ['', 'not json', '{"id_token":', 'null', '[]', '"text"', '42', '{"id_token":[]}', '{"id_token":"email"}', '{"userinfo":{"email":true}}', '{"userinfo":{"email":"x"}}', '{"id_token":{"email":{"essential":"yes"}}}', '{"id_token":{"email":{"values":"a"}}}']) {
      assert.equal(parseClaimsRequest(text), 'invalid', text);
    }
  });
});

describe('pickRequestedClaims', () => {
  it('keeps only the claims both asked for and granted, never sub', () => {
    const granted = { sub: 'u1', email: 'ada@example.com', email_verified: true, name: 'Ada' };
    assert.deepEqual(pickRequestedClaims(granted, ['email', 'picture', 'sub']), { email: 'ada@example.com' });
    assert.deepEqual(pickRequestedClaims(granted, []), {});
  });
});
