import { clientTypes, grantTypes, refreshTokenDeliveries, type ClientView } from '../../../core/clients/client-policy.ts';
import { idTokenSigningAlgorithms, tokenEndpointAuthMethodNames } from '../../../core/clients/client-oidc-policy.ts';
import { html, type SafeHtml } from '../html.ts';
import { actionButton, utcTime } from './format.ts';

const options = (values: readonly string[], selected?: string): SafeHtml[] => values.map((v) => html`<option value="${v}"${v === selected ? ' selected' : ''}>${v}</option>`);
const list = (values: readonly string[]): SafeHtml => (values.length === 0 ? html`<span class="muted">none</span>` : html`${values.map((v) => html`<code>${v}</code> `)}`);

/** The registered clients, each linking to its page. */
export function clientTable(clients: readonly ClientView[]): SafeHtml {
  if (clients.length === 0) return html`<p class="muted">No clients yet.</p>`;
  return html`<table class="stack"><thead><tr><th scope="col">Client</th><th scope="col">Type</th><th scope="col">Grants</th><th scope="col">Created</th></tr></thead><tbody>${clients.map(
    (c) => html`<tr><td><a href="/admin/clients/${c.id}">${c.name}</a><br><code class="muted">${c.id}</code></td><td data-label="Type">${c.type}</td><td data-label="Grants">${c.grantTypes.join(', ')}</td><td data-label="Created">${utcTime(c.createdAtMs)}</td></tr>`,
  )}</tbody></table>`;
}

/** The registration form: the same options as `gatehouse clients create`. */
export function clientForm(): SafeHtml {
  const check = (name: string, label: string) => html`<label class="check"><input type="checkbox" name="${name}" value="on"> ${label}</label>`;
  return html`<form method="post" action="/admin/clients">
<label for="client-name">Name</label><input id="client-name" name="name" type="text" maxlength="100" required>
<label for="client-type">Type</label><select id="client-type" name="type">${options(clientTypes, 'confidential')}</select>
<fieldset><legend>Grants</legend>${grantTypes.map((g) => html`<label class="check"><input type="checkbox" name="grant" value="${g}"> ${g}</label>`)}</fieldset>
<label for="client-id">Client id <span class="hint">optional: A-Z a-z 0-9 . _ ~ -; random otherwise</span></label><input id="client-id" name="id" type="text" maxlength="100">
<label for="client-audience">Audience <span class="hint">optional: the API its access tokens are for</span></label><input id="client-audience" name="audience" type="text">
<label for="client-redirect">Redirect URIs <span class="hint">one per line</span></label><textarea id="client-redirect" name="redirectUris" rows="3"></textarea>
<label for="client-post-logout">Post-logout redirect URIs <span class="hint">one per line</span></label><textarea id="client-post-logout" name="postLogoutRedirectUris" rows="2"></textarea>
<label for="client-backchannel">Back-channel logout URI</label><input id="client-backchannel" name="backchannelLogoutUri" type="url">
<label for="client-scopes">API scopes <span class="hint">separated by spaces</span></label><input id="client-scopes" name="scopes" type="text">
<label for="client-delivery">Refresh token delivery</label><select id="client-delivery" name="refreshTokenDelivery">${options(refreshTokenDeliveries, 'body')}</select>
<label for="client-auth">Token endpoint auth method <span class="hint">default: none for public, client_secret_basic for confidential</span></label><select id="client-auth" name="tokenEndpointAuthMethod"><option value="">default</option>${options(tokenEndpointAuthMethodNames)}</select>
<label for="client-jwks-uri">JWKS URI <span class="hint">private_key_jwt</span></label><input id="client-jwks-uri" name="jwksUri" type="url">
<label for="client-jwks">Inline JWKS <span class="hint">private_key_jwt: the JSON text</span></label><textarea id="client-jwks" name="jwks" rows="2"></textarea>
<label for="client-alg">ID token algorithm</label><select id="client-alg" name="idTokenSignedResponseAlg">${options(idTokenSigningAlgorithms, 'RS256')}</select>
<fieldset><legend>Options</legend>${check('skipConsent', 'first-party: skip consent')}${check('requirePkce', 'require PKCE')}${check('requirePar', 'require pushed authorization requests')}${check('requireDpop', 'require DPoP')}</fieldset>
<button type="submit">Register the client</button>
</form>`;
}

/** A new secret, shown this once. */
export function secretOnce(clientId: string, secret: string): SafeHtml {
  return html`<section class="card" aria-labelledby="secret-title"><h2 id="secret-title">The client secret, shown this once</h2>
<p>Put it in the app's secret store now: only its hash is kept, so it cannot be shown again.</p>
<p>client_id: <code class="secret">${clientId}</code></p><p>client_secret: <code class="secret" data-client-secret>${secret}</code></p></section>`;
}

/** One client: its settings, the redirect-URI editor, rotation and deletion. */
export function clientPage(c: ClientView): SafeHtml {
  const base = `/admin/clients/${encodeURIComponent(c.id)}`;
  return html`<section class="card" aria-labelledby="client-title"><h1 id="client-title">${c.name}</h1>
<dl class="detail">
<dt>Client id</dt><dd><code>${c.id}</code></dd><dt>Type</dt><dd>${c.type}</dd><dt>Grants</dt><dd>${c.grantTypes.join(', ')}</dd>
<dt>Audience</dt><dd><code>${c.audience}</code></dd><dt>Auth method</dt><dd>${c.tokenEndpointAuthMethod}${c.acceptsEitherSecretMethod ? html` <span class="muted">(registered before enforcement: client_secret_basic and client_secret_post both accepted)</span>` : ''}</dd><dt>Scopes</dt><dd>${list(c.scopes)}</dd>
<dt>Back-channel logout</dt><dd>${c.backchannelLogoutUri ?? html`<span class="muted">none</span>`}</dd><dt>Created</dt><dd>${utcTime(c.createdAtMs)}</dd>
</dl>
<div class="actions">${c.acceptsEitherSecretMethod ? actionButton(`${base}/enforce-auth-method`, `Accept ${c.tokenEndpointAuthMethod} only`) : ''}${c.tokenEndpointAuthMethod.startsWith('client_secret') ? actionButton(`${base}/rotate-secret`, 'Rotate the secret', { danger: 'danger' }) : ''}${actionButton(`${base}/delete`, 'Delete the client', { danger: 'danger' })}</div>
</section>
<section class="card" aria-labelledby="uris-title"><h2 id="uris-title">Redirect URIs</h2>
<form method="post" action="${base}/redirect-uris">
<label for="edit-redirect">Redirect URIs <span class="hint">one per line, compared exactly</span></label><textarea id="edit-redirect" name="redirectUris" rows="4">${c.redirectUris.join('\n')}</textarea>
<label for="edit-post-logout">Post-logout redirect URIs <span class="hint">one per line</span></label><textarea id="edit-post-logout" name="postLogoutRedirectUris" rows="3">${c.postLogoutRedirectUris.join('\n')}</textarea>
<button type="submit">Save the redirect URIs</button>
</form></section>`;
}
