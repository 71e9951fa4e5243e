import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClaimsRequest, pickRequestedClaims } from '../../../src/core/oauth-provider/claims-request.ts';

describe('parseClaimsRequest (OIDC Core 5.5)', () => {
  it('reads the standard claims of id_token and userinfo, voluntary or essential, in the order asked', () => {
    assert.deepEqual(parseClaimsRequest('{"id_token":{"email":{"essential":true},"name":null,"auth_time":{"essential":true}},"userinfo":{"picture":null,"locale":{"essential":false}}}'), {
      idToken: ['email', 'name'],
      userinfo: ['picture', 'locale'],
      subject: null,
      essentialAcr: null,
    });
    assert.deepEqual(parseClaimsRequest('{}'), { idToken: [], userinfo: [], subject: null, essentialAcr: null });
  });

  it('ignores claims Gatehouse does not hold, protocol claims and members it does not know (SEC-209)', () => {
    assert.deepEqual(parseClaimsRequest('{"id_token":{"phone_number":null,"address":{"essential":true},"acr":{"values":["urn:x"]},"sub":null,"nonce":null},"other":{"x":1}}'), { idToken: [], userinfo: [], subject: null, essentialAcr: null });
  });

  it('value and values of an ordinary claim are no constraint (5.5.1)', () => {
    assert.deepEqual(parseClaimsRequest('{"id_token":{"email":{"essential":true,"value":"x@example.com"},"locale":{"values":["de"]}}}'), { idToken: ['email', 'locale'], userinfo: [], subject: null, essentialAcr: null });
  });

  it('returns a sub asked with a value as the subject, from either member (SEC-212)', () => {
    assert.deepEqual(parseClaimsRequest('{"id_token":{"sub":{"value":"u2"}}}'), { idToken: [], userinfo: [], subject: 'u2', essentialAcr: null });
    assert.equal((parseClaimsRequest('{"userinfo":{"sub":{"value":"u2"}}}') as { subject: string }).subject, 'u2');
    assert.equal((parseClaimsRequest('{"id_token":{"sub":{"value":"u2"}},"userinfo":{"sub":{"value":"u2"}}}') as { subject: string }).subject, 'u2');
  });

  it('returns an essential acr with value or values as the levels that will do; a voluntary one is no constraint (SEC-213)', () => {
    assert.deepEqual((parseClaimsRequest('{"id_token":{"acr":{"essential":true,"values":["urn:gatehouse:loa:2","urn:x"]}}}') as { essentialAcr: string[] }).essentialAcr, ['urn:gatehouse:loa:2', 'urn:x']);
    assert.deepEqual((parseClaimsRequest('{"id_token":{"acr":{"essential":true,"value":"urn:gatehouse:loa:2"}}}') as { essentialAcr: string[] }).essentialAcr, ['urn:gatehouse:loa:2']);
    assert.equal((parseClaimsRequest('{"id_token":{"acr":{"essential":false,"values":["urn:gatehouse:loa:2"]}}}') as { essentialAcr: null }).essentialAcr, null);
    assert.equal((parseClaimsRequest('{"id_token":{"acr":{"essential":true}}}') as { essentialAcr: null }).essentialAcr, null, 'essential without levels: any acr will do');
  });

  it('refuses malformed requests', () => {
    for (const text of ['', 'not json', '{"id_token":', 'null', '[]', '"text"', '42', '{"id_token":[]}', '{"id_token":"email"}', '{"userinfo":{"email":true}}', '{"userinfo":{"email":"x"}}', '{"id_token":{"email":{"essential":"yes"}}}', '{"id_token":{"email":{"values":"a"}}}', '{"id_token":{"sub":{"value":42}}}', '{"id_token":{"sub":{"value":""}}}', '{"id_token":{"sub":{"value":"u1"}},"userinfo":{"sub":{"value":"u2"}}}', '{"id_token":{"acr":{"essential":true,"values":[]}}}', '{"id_token":{"acr":{"essential":true,"values":[2]}}}', '{"id_token":{"acr":{"essential":true,"value":2}}}']) {
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
