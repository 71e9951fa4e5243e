import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testPassword } from '../../support/core-deps.ts';
import { createTestApp, sameOriginJson, signUpThroughApi, testOrigin, withSession } from '../../support/http-app.ts';

describe('GET and PATCH /v1/me', () => {
  it('PATCH changes the fields given, GET shows them, null clears one; a bad field is problem+json with its code and changes nothing', async () => {
    const t = await createTestApp();
    try {
      const token = await signUpThroughApi(t.app, 'ada@example.com', testPassword);
      const headers = { ...sameOriginJson, ...withSession(token) };
      const empty = await t.app.inject({ method: 'GET', url: '/v1/me', headers: withSession(token) });
      assert.equal(empty.statusCode, 200, empty.body);
      assert.equal(empty.json().user.email, 'ada@example.com');
      assert.deepEqual({ ...empty.json().profile, updatedAt: undefined }, { name: null, givenName: null, familyName: null, picture: null, locale: null, updatedAt: undefined });

      const patched = await t.app.inject({ method: 'PATCH', url: '/v1/me', headers, payload: { name: 'Ada Lovelace', givenName: 'Ada', picture: 'https://img.example/a.png', locale: 'en-gb' } });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.deepEqual({ ...patched.json().profile, updatedAt: undefined }, { name: 'Ada Lovelace', givenName: 'Ada', familyName: null, picture: 'https://img.example/a.png', locale: 'en-GB', updatedAt: undefined });

      const cleared = await t.app.inject({ method: 'PATCH', url: '/v1/me', headers, payload: { picture: null } });
      assert.equal(cleared.json().profile.picture, null);
      assert.equal(cleared.json().profile.name, 'Ada Lovelace');

      for (const [payload, code] of [
        [{ picture: 'http://img.example/a.png', name: 'Mallory' }, 'invalid_picture_url'],
        [{ locale: 'not a locale' }, 'invalid_locale'],
        [{ familyName: 'x'.repeat(201) }, 'invalid_profile_name'],
        [{ nickname: 'ada' }, 'validation_failed'],
        [{}, 'validation_failed'],
        [{ name: 42 }, 'validation_failed'],
      ] as const) {
        const refused = await t.app.inject({ method: 'PATCH', url: '/v1/me', headers, payload });
        assert.equal(refused.statusCode, 400, `${JSON.stringify(payload)}: ${refused.body}`);
        assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
        assert.equal(refused.json().code, code);
      }
      const after = await t.app.inject({ method: 'GET', url: '/v1/me', headers: withSession(token) });
      assert.equal(after.json().profile.name, 'Ada Lovelace', 'the refused changes changed nothing');
    } finally {
      await t.close();
    }
  });

  it('needs a session, and refuses a cross-site PATCH', async () => {
    const t = await createTestApp();
    try {
      const token = await signUpThroughApi(t.app, 'ada@example.com', testPassword);
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/me' })).json().code, 'unauthenticated');
      assert.equal((await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: sameOriginJson, payload: { name: 'x' } })).json().code, 'unauthenticated');
      const crossSite = await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: { ...sameOriginJson, 'sec-fetch-site': 'cross-site', origin: 'https://evil.test', ...withSession(token) }, payload: { name: 'Mallory' } });
      assert.equal(crossSite.json().code, 'forbidden_origin');
    } finally {
      await t.close();
    }
  });
});

describe('the profile card of /account', () => {
  it('shows the form, saves it (an empty field clears), and refills it with the error after a refused save', async () => {
    const t = await createTestApp();
    try {
      const token = await signUpThroughApi(t.app, 'ada@example.com', testPassword);
      const form = { 'content-type': 'application/x-www-form-urlencoded', origin: testOrigin, 'sec-fetch-site': 'same-origin', ...withSession(token) };
      const page = await t.app.inject({ method: 'GET', url: '/account', headers: withSession(token) });
      assert.match(page.body, /<form method="post" action="\/account\/profile">/);

      const saved = await t.app.inject({ method: 'POST', url: '/account/profile', headers: form, payload: 'name=Ada+%3Cb%3ELovelace%3C%2Fb%3E&givenName=Ada&familyName=&picture=https%3A%2F%2Fimg.example%2Fa.png&locale=fr-ca' });
      assert.equal(saved.statusCode, 303, saved.body);
      assert.equal(saved.headers.location, '/account?done=profile-saved');
      const shown = await t.app.inject({ method: 'GET', url: '/account?done=profile-saved', headers: withSession(token) });
      assert.match(shown.body, /Your profile is saved\./);
      assert.match(shown.body, /value="Ada &lt;b&gt;Lovelace&lt;\/b&gt;"/, 'escaped, never markup');
      assert.match(shown.body, /value="fr-CA"/);

      const refused = await t.app.inject({ method: 'POST', url: '/account/profile', headers: form, payload: 'name=Ada&givenName=&familyName=&picture=javascript%3Aalert(1)&locale=' });
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, /https:\/\//);
      assert.match(refused.body, /value="javascript:alert\(1\)"/, 'the refused value is shown back to fix');
      const crossSite = await t.app.inject({ method: 'POST', url: '/account/profile', headers: { ...form, 'sec-fetch-site': 'cross-site', origin: 'https://evil.test' }, payload: 'name=Mallory' });
      assert.equal(crossSite.statusCode, 403);
      const api = await t.app.inject({ method: 'GET', url: '/v1/me', headers: withSession(token) });
      assert.equal(api.json().profile.name, 'Ada <b>Lovelace</b>');
      assert.equal(api.json().profile.picture, 'https://img.example/a.png');
    } finally {
      await t.close();
    }
  });
});
