import type { FastifyReply } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { listIdentities } from '../../core/oauth-client/list-identities.ts';
import type { OAuthDeps } from '../../core/oauth-client/oauth-deps.ts';
import type { Session, SessionWithUser } from '../../core/ports.ts';
import { twoFactorStatus } from '../../core/otp/two-factor-status.ts';
import { listSessions } from '../../core/sessions/list-sessions.ts';
import { listPasskeys } from '../../core/passkeys/manage-passkeys.ts';
import { passkeysCard } from './passkey-forms.ts';
import { isRecentlyAuthenticated } from '../../core/sessions/recent-authentication.ts';
import { pageContentSecurityPolicy } from '../plugins/security-headers.ts';
import { html, type SafeHtml } from './html.ts';
import { alert, notice as noticeBox, sendPage } from './layout.ts';
import { startUrl } from './provider-buttons.ts';
import { emailSection } from './email-change-view.ts';
import { findProfile } from '../../core/accounts/update-profile.ts';
import { profileSection } from './profile-view.ts';
import { listConnectedApps } from '../../core/connected-apps/connected-apps.ts';
import { connectedAppsSection } from './connected-apps-view.ts';
import { describeDevice } from './device.ts';

// The /account page as HTML: rendered by account.ts and, after a failed unlink, by identities.ts.
// It lives apart from both so neither page module imports the other.

function sessionRow(session: Session, currentId: string) {
  const isCurrent = session.id === currentId;
  const seen = new Date(session.lastSeenAtMs).toISOString().replace('T', ' ').slice(0, 16);
  return html`<tr data-session-id="${session.id}">
  <td><span title="${session.userAgent}">${describeDevice(session.userAgent)}</span> ${isCurrent ? html`<span class="badge">this device</span>` : ''}<br><span class="muted">signed in ${new Date(session.createdAtMs).toISOString().slice(0, 10)}</span></td>
  <td data-label="IP address">${session.ip}</td>
  <td data-label="Last seen"><time datetime="${new Date(session.lastSeenAtMs).toISOString()}">${seen} UTC</time></td>
  <td>${
    isCurrent
      ? html`<a href="/logout">Log out</a>`
      : html`<form method="post" action="/account/sessions/${session.id}/revoke"><button class="secondary" type="submit" aria-label="Revoke session ${describeDevice(session.userAgent)} from ${session.ip}">Revoke</button></form>`
  }</td>
</tr>`;
}

/** What the /account page shows, and with what status. */
export interface AccountView {
  deps: CoreDeps;
  oauth: OAuthDeps | undefined;
  current: SessionWithUser;
  status: number;
  /** A success message (chosen from a fixed table, never from the request). */
  notice?: string;
  /** What went wrong with the form just posted. */
  error?: string;
  /** The profile form as posted, refilled after a refused save. */
  profileValues?: Parameters<typeof profileSection>[1];
}

/** Sends the /account page: sessions, linked logins, passkeys, two-factor, password and deletion. */
export async function renderAccount(reply: FastifyReply, { deps, oauth, current, status, notice, error, profileValues }: AccountView): Promise<FastifyReply> {
  // This device first, then the others by last use.
  const sessions = (await listSessions(deps, current.user.id)).sort((a, b) => Number(b.id === current.session.id) - Number(a.id === current.session.id));
  const min = deps.passwordPolicy.minLength;
  const twoFactorOn = (await twoFactorStatus(deps, current.user.id)).totp === 'on';
  if (oauth !== undefined && oauth.providers.size > 0) reply.header('content-security-policy', accountContentSecurityPolicy(oauth));
  return sendPage(reply, status, {
    title: 'Your account',
    signedInAs: current.user.email,
    body: html`${noticeBox(notice)}${alert(error)}
<section class="card" aria-labelledby="sessions-title">
<h1>Your account</h1>
<p>Signed in as <strong>${current.user.email}</strong>.</p>
<h2 id="sessions-title">Where you're signed in</h2>
<table class="stack">
<thead><tr><th scope="col">Device</th><th scope="col">IP address</th><th scope="col">Last seen</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
<tbody>${sessions.map((s) => sessionRow(s, current.session.id))}</tbody>
</table>
${sessions.length > 1 ? html`<form method="post" action="/account/sessions/revoke-others"><button class="secondary" type="submit">Sign out every other session</button></form>` : ''}
</section>
${profileSection(await findProfile(deps, current.user), profileValues)}
${emailSection(deps, current)}
${connectedAppsSection(await listConnectedApps(deps, current.user.id))}
${await identitiesSection(deps, oauth, current)}
${passkeysCard(await listPasskeys(deps, current.user))}
<section class="card" aria-labelledby="two-factor-title">
<h2 id="two-factor-title">Two-factor authentication</h2>
${
  twoFactorOn
    ? html`<p data-two-factor="on">Two-factor authentication is <span class="status-on">on</span>: logging in needs a code from your authenticator app.</p><p><a href="/account/two-factor">Manage two-factor authentication</a></p>`
    : html`<p data-two-factor="off">Two-factor authentication is <span class="status-off">off</span>: your password alone logs you in.</p><p><a href="/account/two-factor">Set up two-factor authentication</a></p>`
}
</section>
${current.user.passwordHash === null ? html`<section class="card" aria-labelledby="password-title">
<h2 id="password-title">Password</h2>
<p class="muted">This account has no password: you log in with a linked provider.</p>
</section>` : html`<section class="card" aria-labelledby="password-title">
<h2 id="password-title">Change password</h2>
<form method="post" action="/account/password">
  <label for="current-password">Current password</label>
  <input id="current-password" name="currentPassword" type="password" autocomplete="current-password" required>
  <label for="new-password">New password <span class="hint" id="new-password-hint">At least ${min} characters. Every other device will be signed out.</span></label>
  <input id="new-password" name="newPassword" type="password" autocomplete="new-password" minlength="${min}" required aria-describedby="new-password-hint">
  <button type="submit">Change password</button>
</form>
</section>`}
${current.user.passwordHash === null ? passwordlessDeleteSection(deps, oauth, current) : html`<section class="card" aria-labelledby="delete-title">
<h2 id="delete-title">Delete account</h2>
<p class="muted">This deletes your account and signs out every device. It cannot be undone.</p>
<form method="post" action="/account/delete">
  <label for="delete-password">Password</label>
  <input id="delete-password" name="password" type="password" autocomplete="current-password" required>
  <button class="danger" type="submit">Delete my account</button>
</form>
</section>`}`,
  });
}

/**
 * The page CSP with each provider's authorization origin added to form-action: browsers apply
 * form-action to the redirects that follow a form POST, and "Link" posts, then redirects there.
 */
export function accountContentSecurityPolicy(oauth: OAuthDeps): string {
  const origins = new Set<string>();
  for (const p of oauth.providers.values()) {
    const endpoint = p.client.serverMetadata().authorization_endpoint;
    if (endpoint !== undefined) origins.add(new URL(endpoint).origin);
  }
  return pageContentSecurityPolicy.replace("form-action 'self'", ["form-action 'self'", ...origins].join(' '));
}

/** The "Linked logins" card of /account: each identity with an unlink button, and a link button per provider. */
export async function identitiesSection(deps: CoreDeps, oauth: OAuthDeps | undefined, current: SessionWithUser): Promise<SafeHtml> {
  if (oauth === undefined || oauth.providers.size === 0) return html``;
  const identities = await listIdentities(deps, current.user.id);
  const onlyWayIn = current.user.passwordHash === null && identities.length === 1;
  const name = (provider: string): string => oauth.providers.get(provider)?.config.displayName ?? provider;
  const rows = identities.map(
    (i) => html`<tr data-identity-id="${i.id}">
  <td>${name(i.provider)} <span class="badge">linked</span></td>
  <td data-label="Email there">${i.email ?? ''}</td>
  <td data-label="Last login"><time datetime="${new Date(i.lastLoginAtMs).toISOString()}">${new Date(i.lastLoginAtMs).toISOString().replace('T', ' ').slice(0, 16)} UTC</time></td>
  <td>${
    onlyWayIn
      ? html`<span class="muted">Your only way to log in</span>`
      : html`<form method="post" action="/account/identities/${i.id}/unlink"><button class="secondary" type="submit" aria-label="Unlink ${name(i.provider)}">Unlink</button></form>`
  }</td>
</tr>`,
  );
  // A provider already linked is shown as linked (with its unlink button), not offered again.
  const linked = new Set(identities.map((i) => i.provider));
  const links = [...oauth.providers.values()].filter((p) => !linked.has(p.config.id)).map(
    (p) => html`<form method="post" action="/account/identities/link/${p.config.id}"><button class="secondary" type="submit">Link ${p.config.displayName}</button></form>`,
  );
  return html`<section class="card" aria-labelledby="identities-title">
<h2 id="identities-title">Linked logins</h2>
${
  identities.length === 0
    ? html`<p class="muted">No provider is linked yet.</p>`
    : html`<table class="stack">
<thead><tr><th scope="col">Provider</th><th scope="col">Email there</th><th scope="col">Last login</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
<tbody>${rows}</tbody>
</table>`
}
${links.length === 0 ? '' : html`<div class="providers">${links}</div>`}
</section>`;
}

/**
 * "Delete account" for an account without a password: the re-authentication is a recent login
 * with a provider, or an emailed code (docs/security.md SEC-100), so the card either confirms or
 * sends them to confirm first.
 */
export function passwordlessDeleteSection(deps: CoreDeps, oauth: OAuthDeps | undefined, current: SessionWithUser): SafeHtml {
  const again = [
    html`<a class="button secondary" href="/account/reauth?return_to=%2Faccount">Confirm with an emailed code</a>`,
    ...[...(oauth?.providers.values() ?? [])].map((p) => html`<a class="button secondary provider" href="${startUrl(p.config.id, '/account')}">Log in again with ${p.config.displayName}</a>`),
  ];
  return html`<section class="card" aria-labelledby="delete-title">
<h2 id="delete-title">Delete account</h2>
<p class="muted">This deletes your account and signs out every device. It cannot be undone.</p>
${
  isRecentlyAuthenticated(deps, current)
    ? html`<form method="post" action="/account/delete"><button class="danger" type="submit">Delete my account</button></form>`
    : html`<p>Your account has no password, so confirm it is you first (then you have ${String(Math.round(deps.sessionPolicy.reauthWindowMs / 60_000))} minutes).</p><div class="providers">${again}</div>`
}
</section>`;
}
