import type { ConnectedApp } from '../../core/connected-apps/connected-apps.ts';
import { html, type SafeHtml } from './html.ts';

/** The "Connected apps" card of /account: each app the user allowed, when, what it may see, and a revoke button. */
export function connectedAppsSection(apps: readonly ConnectedApp[]): SafeHtml {
  const rows = apps.map(
    (app) => html`<tr data-connected-app="${app.clientId}">
  <td>${app.name}</td>
  <td data-label="Allowed"><time datetime="${new Date(app.grantedAtMs).toISOString()}">${new Date(app.grantedAtMs).toISOString().slice(0, 10)}</time></td>
  <td data-label="It may"><ul class="plain">${app.canSee.map((line) => html`<li>${line}</li>`)}</ul></td>
  <td><form method="post" action="/account/connected-apps/${encodeURIComponent(app.clientId)}/revoke"><button class="secondary" type="submit" aria-label="Revoke access of ${app.name}">Revoke</button></form></td>
</tr>`,
  );
  return html`<section class="card" aria-labelledby="connected-apps-title">
<h2 id="connected-apps-title">Connected apps</h2>
${
  apps.length === 0
    ? html`<p class="muted">No app uses "Log in with Gatehouse" for your account.</p>`
    : html`<p class="muted">Revoking takes the app's access away: it must ask you again, it cannot renew its access, and what it already holds expires within minutes. An app that listens for sign-outs is told to sign you out at once.</p>
<table class="stack">
<thead><tr><th scope="col">App</th><th scope="col">Allowed</th><th scope="col">It may</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
<tbody>${rows}</tbody>
</table>`
}
</section>`;
}
