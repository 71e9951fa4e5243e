import type { CoreDeps } from '../../core/deps.ts';
import type { SessionWithUser } from '../../core/ports.ts';
import { isRecentlyAuthenticated } from '../../core/sessions/recent-authentication.ts';
import { html, type SafeHtml } from './html.ts';

/**
 * The "Email address" card of /account: the address, and a form for a new one. Within minutes of
 * a login or re-authentication no proof is asked again (docs/security.md SEC-100); otherwise the
 * password, or for an account without one, a link to confirm it is them first.
 */
export function emailSection(deps: CoreDeps, current: SessionWithUser): SafeHtml {
  const recent = isRecentlyAuthenticated(deps, current);
  const proof = recent
    ? html``
    : current.user.passwordHash === null
      ? html`<p class="muted"><a href="/account/reauth?return_to=%2Faccount">Confirm it is you first</a>, then change the address within ${String(Math.round(deps.sessionPolicy.reauthWindowMs / 60_000))} minutes.</p>`
      : html`<label for="email-password">Your password</label>
  <input id="email-password" name="password" type="password" autocomplete="current-password" required>`;
  return html`<section class="card" aria-labelledby="email-title">
<h2 id="email-title">Email address</h2>
<p>Your address is <strong data-current-email>${current.user.email}</strong>.</p>
<form method="post" action="/account/email">
  <label for="new-email">New email address <span class="hint" id="new-email-hint">We mail a link there; the address changes only when you open it and confirm. Your current address gets a notice.</span></label>
  <input id="new-email" name="email" type="email" autocomplete="email" required aria-describedby="new-email-hint">
  ${proof}
  <button type="submit"${!recent && current.user.passwordHash === null ? html` disabled` : ''}>Change email address</button>
</form>
</section>`;
}
