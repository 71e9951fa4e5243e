import type { UserOverview } from '../../../core/console/user-overview.ts';
import type { AuditEvent, User } from '../../../core/ports.ts';
import { describeDevice } from '../device.ts';
import { html, type SafeHtml } from '../html.ts';
import { actionButton, utcTime } from './format.ts';

/** The audit entries as a table (the user page and the audit page). */
export function auditTable(events: readonly AuditEvent[]): SafeHtml {
  if (events.length === 0) return html`<p class="muted">No entries.</p>`;
  return html`<table class="stack"><thead><tr><th scope="col">Time</th><th scope="col">Event</th><th scope="col">User</th><th scope="col">IP</th><th scope="col">By</th><th scope="col">Detail</th></tr></thead><tbody>${events.map(
    (e) => html`<tr><td data-label="Time">${utcTime(e.atMs)}</td><td data-label="Event">${e.type}</td><td data-label="User">${
      e.userId === null ? (e.email ?? '') : html`<a href="/admin/users/${e.userId}">${e.email ?? e.userId}</a>`
    }</td><td data-label="IP">${e.ip}</td><td data-label="By">${e.actorId === null ? '' : html`<a href="/admin/users/${e.actorId}">operator</a>`}</td><td data-label="Detail">${e.detail ?? ''}</td></tr>`,
  )}</tbody></table>`;
}

/** The search results: one row per user, linking to the user page. */
export function userTable(users: readonly User[]): SafeHtml {
  if (users.length === 0) return html`<p class="muted">No users match.</p>`;
  return html`<table class="stack"><thead><tr><th scope="col">Email</th><th scope="col">Created</th><th scope="col">State</th></tr></thead><tbody>${users.map(
    (u) => html`<tr><td><a href="/admin/users/${u.id}">${u.email}</a></td><td data-label="Created">${utcTime(u.createdAtMs)}</td><td data-label="State">${u.disabledAtMs === null ? 'active' : 'disabled'}</td></tr>`,
  )}</tbody></table>`;
}

/** The console's page of one user: what they have, and every action on them. */
export function userPage(o: UserOverview): SafeHtml {
  const base = `/admin/users/${o.user.id}`;
  const { user } = o;
  return html`<section class="card" aria-labelledby="user-title">
<h1 id="user-title">${user.email}</h1>
<dl class="detail">
<dt>Id</dt><dd><code>${user.id}</code></dd>
<dt>Created</dt><dd>${utcTime(user.createdAtMs)}</dd>
<dt>State</dt><dd>${user.disabledAtMs === null ? 'active' : html`disabled since ${utcTime(user.disabledAtMs)}`}</dd>
<dt>Email</dt><dd>${o.verified !== null && o.verified.email === user.email ? html`verified ${utcTime(o.verified.verifiedAtMs)}` : 'not verified'}</dd>
<dt>Password</dt><dd>${user.passwordHash === null ? 'none (social login or passkey only)' : 'set'}</dd>
<dt>Operator</dt><dd>${o.operatorSinceMs === null ? 'no' : html`since ${utcTime(o.operatorSinceMs)}`}</dd>
</dl>
<div class="actions">
${user.disabledAtMs === null ? actionButton(`${base}/disable`, 'Disable', { danger: 'danger' }) : actionButton(`${base}/enable`, 'Enable')}
${actionButton(`${base}/send-password-reset`, 'Send a password reset')}
${o.verified !== null && o.verified.email === user.email ? '' : actionButton(`${base}/mark-email-verified`, 'Mark the email verified')}
${actionButton(`${base}/delete`, 'Delete the account', { danger: 'danger' })}
</div>
</section>
<section class="card" aria-labelledby="sessions-title">
<h2 id="sessions-title">Sessions</h2>
${
  o.sessions.length === 0
    ? html`<p class="muted">No active session.</p>`
    : html`<table class="stack"><thead><tr><th scope="col">Device</th><th scope="col">IP address</th><th scope="col">Last seen</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead><tbody>${o.sessions.map(
        (s) => html`<tr data-session-id="${s.id}"><td><span title="${s.userAgent}">${describeDevice(s.userAgent)}</span><br><span class="muted">signed in ${utcTime(s.createdAtMs)}</span></td><td data-label="IP address">${s.ip}</td><td data-label="Last seen">${utcTime(s.lastSeenAtMs)}</td><td>${actionButton(`${base}/sessions/${s.id}/revoke`, 'Revoke', { ariaLabel: `Revoke session ${describeDevice(s.userAgent)} from ${s.ip}` })}</td></tr>`,
      )}</tbody></table>${actionButton(`${base}/sessions/revoke-all`, 'Revoke every session')}`
}
</section>
<section class="card" aria-labelledby="factors-title">
<h2 id="factors-title">Linked providers and second factors</h2>
<p>Providers: ${o.identities.length === 0 ? 'none' : o.identities.map((i) => html`${i.provider} (${i.email ?? i.subject}) `)}</p>
<p>Authenticator app (TOTP): ${o.twoFactor.totp}${o.twoFactor.totp === 'on' ? `, ${String(o.twoFactor.recoveryCodesLeft)} recovery codes left` : ''}</p>
<p>Passkeys: ${o.passkeys.length === 0 ? 'none' : o.passkeys.map((p) => html`${p.name} (last used ${utcTime(p.lastUsedAtMs)}) `)}</p>
${o.twoFactor.totp === 'off' ? '' : actionButton(`${base}/reset-second-factor`, 'Reset the second factor', { danger: 'danger' })}
</section>
<section class="card" aria-labelledby="audit-title">
<h2 id="audit-title">Audit</h2>
${auditTable(o.audit)}
<p><a href="/admin/audit?user=${user.id}">The whole audit trail of this user</a></p>
</section>`;
}
