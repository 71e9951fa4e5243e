import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findProfile, updateProfile } from '../../../src/core/accounts/update-profile.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { createTestCore, seedUser, testContext } from '../../support/core-deps.ts';

describe('updateProfile', () => {
  it('saves the fields given, keeps the others, clears with null or an empty string, and audits the field names', async () => {
    const core = await createTestCore();
    const ada = await seedUser(core, 'ada@example.com');
    assert.deepEqual(await findProfile(core, ada), { userId: ada.id, name: null, givenName: null, familyName: null, picture: null, locale: null, updatedAtMs: ada.updatedAtMs });

    core.clock.advance(1_000);
    const first = await updateProfile(core, ada, { name: '  Ada Lovelace ', givenName: 'Ada', familyName: 'Lovelace', picture: 'https://img.example/ada.png', locale: 'en-gb' }, testContext());
    assert.deepEqual(first, { userId: ada.id, name: 'Ada Lovelace', givenName: 'Ada', familyName: 'Lovelace', picture: 'https://img.example/ada.png', locale: 'en-GB', updatedAtMs: core.clock.nowMs() });

    core.clock.advance(1_000);
    const second = await updateProfile(core, ada, { name: null, picture: '' }, testContext());
    assert.deepEqual(second, { ...first, name: null, picture: null, updatedAtMs: core.clock.nowMs() });
    assert.deepEqual(await findProfile(core, ada), second);
    const audit = (await core.store.audit.list({ limit: 10, userId: ada.id })).filter((e) => e.type === 'profile.updated');
    assert.deepEqual(audit.map((e) => e.detail).sort(), ['familyName givenName locale name picture', 'name picture']);
  });

  for (const [title, change, code] of [
    ['an http picture', { picture: 'http://img.example/a.png' }, 'invalid_picture_url'],
    ['a javascript: picture', { picture: 'javascript:alert(1)' }, 'invalid_picture_url'],
    ['a data: picture', { picture: 'data:image/png;base64,AAAA' }, 'invalid_picture_url'],
    ['a picture with credentials', { picture: 'https://user:pw@img.example/a.png' }, 'invalid_picture_url'],
    ['a picture that is not a URL', { picture: 'not a url' }, 'invalid_picture_url'],
    ['a picture URL over 2048 characters', { picture: `https://img.example/${'a'.repeat(2040)}` }, 'invalid_picture_url'],
    ['a locale of the wrong shape', { locale: 'english please' }, 'invalid_locale'],
    ['a locale with an underscore', { locale: 'en_GB' }, 'invalid_locale'],
    ['a locale over 35 characters', { locale: `en-${'abcdefgh-'.repeat(4)}x` }, 'invalid_locale'],
    ['a name over 200 characters', { name: 'a'.repeat(201) }, 'invalid_profile_name'],
    ['a name with a control character', { givenName: 'Ada\u0007' }, 'invalid_profile_name'],
    ['a name with a bidi override', { familyName: 'Love\u202elace' }, 'invalid_profile_name'],
  ] as const) {
    it(`refuses ${title} (${code}) and changes nothing, not even the valid fields sent with it`, async () => {
      const core = await createTestCore();
      const ada = await seedUser(core, 'ada@example.com');
      await updateProfile(core, ada, { name: 'Ada' }, testContext());
      const before = await findProfile(core, ada);
      await rejectsWithAuthError(updateProfile(core, ada, { name: 'Mallory', ...change }, testContext()), code);
      assert.deepEqual(await findProfile(core, ada), before);
    });
  }

  it('accepts the usual BCP 47 shapes and non-ASCII names', async () => {
    const core = await createTestCore();
    const ada = await seedUser(core, 'ada@example.com');
    for (const [tag, canonical] of [['fr', 'fr'], ['pt-BR', 'pt-BR'], ['zh-Hant-TW', 'zh-Hant-TW'], ['es-419', 'es-419'], ['DE-ch', 'de-CH']]) {
      assert.equal((await updateProfile(core, ada, { locale: tag }, testContext())).locale, canonical);
    }
    assert.equal((await updateProfile(core, ada, { name: 'Zoë Ñúñez 李' }, testContext())).name, 'Zoë Ñúñez 李');
  });
});
