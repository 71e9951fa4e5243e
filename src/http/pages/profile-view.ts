import type { UserProfile } from '../../core/ports.ts';
import { maxLocaleLength, maxPictureUrlLength, maxProfileNameLength } from '../../core/accounts/profile-input.ts';
import { html, type SafeHtml } from './html.ts';

/**
 * The "Profile" card of /account: what apps that ask for the `profile` scope see. A plain form
 * (no script); an empty field clears it. `values` refills the form after a refused save.
 */
export function profileSection(profile: UserProfile, values?: Partial<Record<'name' | 'givenName' | 'familyName' | 'picture' | 'locale', string>>): SafeHtml {
  const value = (key: 'name' | 'givenName' | 'familyName' | 'picture' | 'locale'): string => values?.[key] ?? profile[key] ?? '';
  return html`<section class="card" aria-labelledby="profile-title">
<h2 id="profile-title">Profile</h2>
<p class="muted">Apps you log in to with this account see these details when you allow them to see your profile. Leave a field empty to remove it.</p>
<form method="post" action="/account/profile">
  <label for="profile-name">Full name</label>
  <input id="profile-name" name="name" type="text" autocomplete="name" maxlength="${maxProfileNameLength}" value="${value('name')}">
  <label for="profile-given-name">Given name</label>
  <input id="profile-given-name" name="givenName" type="text" autocomplete="given-name" maxlength="${maxProfileNameLength}" value="${value('givenName')}">
  <label for="profile-family-name">Family name</label>
  <input id="profile-family-name" name="familyName" type="text" autocomplete="family-name" maxlength="${maxProfileNameLength}" value="${value('familyName')}">
  <label for="profile-picture">Picture URL <span class="hint" id="profile-picture-hint">An https:// address of an image.</span></label>
  <input id="profile-picture" name="picture" type="url" inputmode="url" maxlength="${maxPictureUrlLength}" value="${value('picture')}" aria-describedby="profile-picture-hint">
  <label for="profile-locale">Language <span class="hint" id="profile-locale-hint">A language tag such as en, en-GB or pt-BR.</span></label>
  <input id="profile-locale" name="locale" type="text" autocomplete="language" maxlength="${maxLocaleLength}" value="${value('locale')}" aria-describedby="profile-locale-hint">
  <button type="submit">Save profile</button>
</form>
</section>`;
}
