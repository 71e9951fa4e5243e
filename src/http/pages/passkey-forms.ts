import type { FastifyReply } from 'fastify';
import type { PasskeyCredential } from '../../core/ports.ts';
import { setPasskeyCeremonyCookie } from '../passkey-cookies.ts';
import { passkeyPageContentSecurityPolicy } from '../plugins/security-headers.ts';
import { html, type SafeHtml } from './html.ts';

/** Our two scripts, in order: the @simplewebauthn/browser bundle, then the buttons that use it. Only on pages with a passkey form. */
const passkeyScripts = html`<script src="/assets/simplewebauthn-browser.js"></script>
<script src="/assets/passkeys.js"></script>`;

/**
 * Prepares a reply for a page with a passkey form: the ceremony cookie for the options in the
 * page, and the CSP that lets our own scripts run (docs/security.md SEC-184).
 */
export function offerPasskey(reply: FastifyReply, ceremonyToken: string): void {
  setPasskeyCeremonyCookie(reply, ceremonyToken);
  reply.header('content-security-policy', passkeyPageContentSecurityPolicy);
}

/** The WebAuthn answer a passkey form posted (JSON in the `response` field), or null when it is not JSON. */
export function postedAnswer<T>(value: string): T | null {
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as T) : null;
  } catch {
    return null;
  }
}


/** A form the passkey script drives; hidden until the script shows it (so it never shows without JavaScript). */
function passkeyForm(kind: 'login' | 'second-factor' | 'reauth' | 'register', action: string, options: unknown, inner: SafeHtml, extra: { autofill?: boolean } = {}): SafeHtml {
  return html`<form method="post" action="${action}" data-passkey="${kind}" data-options="${JSON.stringify(options)}"${extra.autofill === true ? html` data-autofill="true"` : ''} hidden>
${inner}
  <input type="hidden" name="response" value="">
  <p class="muted" data-passkey-status role="status"></p>
</form>
${passkeyScripts}`;
}

/** "Sign in with a passkey" on /login; the same options serve the email field's autofill. */
export function passkeyLoginForm(options: unknown, returnTo: string): SafeHtml {
  return passkeyForm('login', '/login/passkey', options, html`  <input type="hidden" name="return_to" value="${returnTo}">
  <button type="submit" class="secondary">Sign in with a passkey</button>`, { autofill: true });
}

/** "Use a passkey" on the second step of a login. */
export function passkeySecondFactorForm(options: unknown, returnTo: string): SafeHtml {
  return passkeyForm('second-factor', '/login/second-factor/passkey', options, html`  <input type="hidden" name="return_to" value="${returnTo}">
  <button type="submit">Use a passkey</button>`);
}

/** "Confirm with a passkey" on /account/reauth. */
export function passkeyReauthForm(options: unknown, returnTo: string): SafeHtml {
  return passkeyForm('reauth', '/account/reauth/passkey', options, html`  <input type="hidden" name="return_to" value="${returnTo}">
  <button type="submit">Confirm with a passkey</button>`);
}

/** Naming and creating a new passkey. */
export function passkeyRegisterForm(options: unknown, action: string): SafeHtml {
  return passkeyForm('register', action, options, html`  <label for="passkey-name">Name <span class="hint" id="passkey-name-hint">So you can tell your passkeys apart, e.g. "Work laptop".</span></label>
  <input id="passkey-name" name="name" type="text" maxlength="64" autocomplete="off" aria-describedby="passkey-name-hint">
  <button type="submit">Create the passkey</button>`);
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The "Passkeys" card of /account: each passkey with its dates and kind, a rename and a remove form; no script needed. */
export function passkeysCard(passkeys: readonly PasskeyCredential[]): SafeHtml {
  return html`<section class="card" aria-labelledby="passkeys-title">
<h2 id="passkeys-title">Passkeys</h2>
<p class="muted">Log in with your fingerprint, face or device PIN instead of a password. A passkey works only on this site, so it cannot be phished.</p>
${
  passkeys.length === 0
    ? html`<p>You have no passkeys yet.</p>`
    : html`<table>
<thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Kind</th><th scope="col"><span class="muted">Actions</span></th></tr></thead>
<tbody>${passkeys.map(
        (p) => html`<tr data-passkey-id="${p.id}">
  <td>${p.name}</td>
  <td><time datetime="${new Date(p.createdAtMs).toISOString()}">${day(p.createdAtMs)}</time></td>
  <td>${p.lastUsedAtMs === null ? 'never' : html`<time datetime="${new Date(p.lastUsedAtMs).toISOString()}">${day(p.lastUsedAtMs)}</time>`}</td>
  <td>${p.deviceType === 'multiDevice' ? 'synced' : 'this device only'}</td>
  <td>
    <form method="post" action="/account/passkeys/${p.id}/rename"><label for="rename-${p.id}" class="visually-hidden">New name for ${p.name}</label><input id="rename-${p.id}" name="name" type="text" maxlength="64" required value="${p.name}"><button class="secondary" type="submit">Rename</button></form>
    <form method="post" action="/account/passkeys/${p.id}/remove"><button class="danger" type="submit" aria-label="Remove passkey ${p.name}">Remove</button></form>
  </td>
</tr>`,
      )}</tbody>
</table>`
}
<p><a href="/account/passkeys/new">Add a passkey</a></p>
</section>`;
}
