import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { changePassword } from '../../core/accounts/change-password.ts';
import { deleteAccount } from '../../core/accounts/delete-account.ts';
import type { CoreDeps } from '../../core/deps.ts';
import type { OAuthDeps } from '../../core/oauth-client/oauth-deps.ts';
import type { Session, SessionWithUser } from '../../core/ports.ts';
import { listSessions } from '../../core/sessions/list-sessions.ts';
import { revokeOtherSessions } from '../../core/sessions/revoke-other-sessions.ts';
import { revokeSession } from '../../core/sessions/revoke-session.ts';
import { clearSessionCookie, requestContext, setSessionCookie } from '../session-cookie.ts';
import { html } from './html.ts';
import { alert, notice as noticeBox, redirectAfterPost, sendPage } from './layout.ts';
import { signedInOrRedirect } from './signed-in.ts';
import { attempt, field } from './forms.ts';
import { accountContentSecurityPolicy, identitiesSection, passwordlessDeleteSection } from './identities.ts';
import { deleteAccountWithoutPassword } from '../../core/oauth-client/delete-account-without-password.ts';

// Notices are chosen from this table by key; the query string is never echoed into the page.
const notices: Record<string, string> = {
  'session-revoked': 'The session was revoked. That device is signed out.',
  'others-revoked': 'Every other session was revoked.',
  'password-changed': 'Password changed. Every other device was signed out.',
  'identity-linked': 'The provider is linked: you can now log in with it.',
  'identity-unlinked': 'The provider is unlinked: it no longer logs in to this account.',
};

function describeDevice(userAgent: string): string {
  if (userAgent === '') return 'Unknown device';
  const browser = /(Edg|Firefox|Chrome|Chromium|Safari|curl|HeadlessChrome)\/[\d.]+/.exec(userAgent)?.[0] ?? 'Browser';
  const os = /(Windows|Mac OS X|Android|iPhone|iPad|Linux|CrOS)/.exec(userAgent)?.[0] ?? '';
  return os === '' ? browser : `${browser} on ${os}`;
}

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

export async function renderAccount(deps: CoreDeps, oauth: OAuthDeps | undefined, reply: FastifyReply, current: SessionWithUser, status: number, notice?: string, error?: string) {
  // This device first, then the others by last use.
  const sessions = (await listSessions(deps, current.user.id)).sort((a, b) => Number(b.id === current.session.id) - Number(a.id === current.session.id));
  const min = deps.passwordPolicy.minLength;
  const totp = await deps.store.totp.find(current.user.id);
  const twoFactorOn = totp !== null && totp.confirmedAtMs !== null;
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
${await identitiesSection(deps, oauth, current)}
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

export function accountPage(app: FastifyInstance, deps: CoreDeps, oauth?: OAuthDeps): void {
  const signedIn = (request: FastifyRequest, reply: FastifyReply): Promise<SessionWithUser | null> => signedInOrRedirect(deps, request, reply, '/account');

  app.get<{ Querystring: { done?: string } }>('/account', { schema: { tags: ['pages'], summary: 'Account page: sessions and password.' } }, async (request, reply) => {
    const current = await signedIn(request, reply);
    if (current === null) return reply;
    const done = request.query.done;
    return renderAccount(deps, oauth, reply, current, 200, done === undefined ? undefined : notices[done]);
  });

  app.post<{ Params: { id: string } }>('/account/sessions/:id/revoke', { schema: { tags: ['pages'], summary: 'Revoke one session.' } }, async (request, reply) => {
    const current = await signedIn(request, reply);
    if (current === null) return reply;
    const result = await attempt(() => revokeSession(deps, current.user.id, request.params.id, requestContext(request)));
    if (!result.ok) return renderAccount(deps, oauth, reply, current, result.status, undefined, result.message);
    if (request.params.id === current.session.id) {
      clearSessionCookie(reply);
      return redirectAfterPost(reply, '/login');
    }
    return redirectAfterPost(reply, '/account?done=session-revoked');
  });

  app.post('/account/sessions/revoke-others', { schema: { tags: ['pages'], summary: 'Revoke every other session.' } }, async (request, reply) => {
    const current = await signedIn(request, reply);
    if (current === null) return reply;
    await revokeOtherSessions(deps, current, requestContext(request));
    return redirectAfterPost(reply, '/account?done=others-revoked');
  });

  app.post('/account/password', { schema: { tags: ['pages'], summary: 'Change the password.' } }, async (request, reply) => {
    const current = await signedIn(request, reply);
    if (current === null) return reply;
    const input = { currentPassword: field(request.body, 'currentPassword'), newPassword: field(request.body, 'newPassword') };
    const result = await attempt(() => changePassword(deps, current, input, requestContext(request)));
    if (!result.ok) return renderAccount(deps, oauth, reply, current, result.status, undefined, result.message);
    setSessionCookie(reply, result.value.token, result.value.session.expiresAtMs);
    return redirectAfterPost(reply, '/account?done=password-changed');
  });

  app.post('/account/delete', { schema: { tags: ['pages'], summary: 'Delete the account.' } }, async (request, reply) => {
    const current = await signedIn(request, reply);
    if (current === null) return reply;
    const result = await attempt(() =>
      current.user.passwordHash === null
        ? deleteAccountWithoutPassword(deps, current, requestContext(request))
        : deleteAccount(deps, current, field(request.body, 'password'), requestContext(request)),
    );
    if (!result.ok) return renderAccount(deps, oauth, reply, current, result.status, undefined, result.message);
    clearSessionCookie(reply);
    return redirectAfterPost(reply, '/signup');
  });
}
