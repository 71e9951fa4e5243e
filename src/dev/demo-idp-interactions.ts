import type { IncomingMessage, ServerResponse } from 'node:http';
import { html, type SafeHtml } from '../http/pages/html.ts';
import { demoUser, type DemoUser } from './demo-user.ts';

/** The minimal surface of oidc-provider used here (the package ships no types). */
export interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<{ uid: string; prompt: { name: string; details: Record<string, unknown> }; params: Record<string, unknown>; session?: { accountId?: string }; grantId?: string }>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options: { mergeWithLastSubmission: boolean }): Promise<void>;
  Grant: {
    new (init: { accountId: string; clientId: string }): GrantInstance;
    find(id: string): Promise<GrantInstance | undefined>;
  };
}
interface GrantInstance {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  save(): Promise<string>;
}

export function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · Demo IdP</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}label,input,button{display:block;width:100%;margin:.3rem 0;font-size:1rem}input{padding:.4rem}button{padding:.5rem;margin-top:1rem}.note{background:#fff6d6;padding:.6rem;border-radius:.3rem}form.inline{display:inline}</style>
</head><body><p class="note">Demo identity provider, for trying Gatehouse without internet. Not a real account.</p>${body}</body></html>`.value;
}

export function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // No form-action: after the consent form, the provider redirects to the app's callback.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  });
  res.end(body);
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16_384) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function loginForm(uid: string, message?: string): string {
  return page(
    'Sign in',
    html`<h1>Sign in to the Demo IdP</h1>
${message === undefined ? '' : html`<p role="alert">${message}</p>`}
<p>Use <strong>${demoUser.username}</strong> / <strong>${demoUser.password}</strong>.</p>
<form method="post" action="/interaction/${uid}/login">
<label for="username">Username</label><input id="username" name="username" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Cancel</button></form>`,
  );
}

function consentForm(uid: string, clientId: string, scopes: string[]): string {
  return page(
    'Allow access',
    html`<h1>Allow access?</h1>
<p><strong>${clientId}</strong> asks to know who you are: ${scopes.join(', ')}.</p>
<form method="post" action="/interaction/${uid}/confirm"><button type="submit">Allow</button></form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Deny</button></form>`,
  );
}

/** Our own interaction pages (login, consent, deny), through oidc-provider's interaction API. */
export async function handleInteraction(provider: ProviderInstance, users: readonly DemoUser[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const [, , uid, action] = (req.url ?? '').split('?')[0]?.split('/') ?? [];
  const details = await provider.interactionDetails(req, res);
  if (uid !== details.uid) return send(res, 400, page('Error', html`<p>Unknown interaction.</p>`));
  if (req.method === 'GET' && action === undefined) {
    if (details.prompt.name === 'login') return send(res, 200, loginForm(details.uid));
    const scopes = String(details.params.scope ?? '').split(' ').filter(Boolean);
    return send(res, 200, consentForm(details.uid, String(details.params.client_id), scopes));
  }
  if (req.method !== 'POST') return send(res, 405, page('Error', html`<p>Method not allowed.</p>`));
  if (action === 'abort') {
    return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The user denied the request.' }, { mergeWithLastSubmission: false });
  }
  if (action === 'login' && details.prompt.name === 'login') {
    const form = await formBody(req);
    const user = users.find((u) => u.username === form.get('username') && u.password === form.get('password'));
    if (user === undefined) return send(res, 200, loginForm(details.uid, 'Wrong username or password.'));
    return provider.interactionFinished(req, res, { login: { accountId: user.sub, ...(user.amr === undefined ? {} : { amr: [...user.amr] }) } }, { mergeWithLastSubmission: false });
  }
  if (action === 'confirm' && details.prompt.name === 'consent') {
    const accountId = details.session?.accountId;
    if (accountId === undefined) return send(res, 400, page('Error', html`<p>Sign in first.</p>`));
    const grant = (details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    const missingScope = details.prompt.details.missingOIDCScope as string[] | undefined;
    const missingClaims = details.prompt.details.missingOIDCClaims as string[] | undefined;
    if (missingScope !== undefined) grant.addOIDCScope(missingScope.join(' '));
    if (missingClaims !== undefined) grant.addOIDCClaims(missingClaims);
    return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  }
  return send(res, 400, page('Error', html`<p>This step does not fit the sign-in in progress. <a href="/">Start again</a>.</p>`));
}

