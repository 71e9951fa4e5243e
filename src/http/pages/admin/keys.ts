import type { FastifyInstance } from 'fastify';
import { rotateSigningKey } from '../../../core/console/rotate-signing-key.ts';
import type { CoreDeps } from '../../../core/deps.ts';
import type { TokenDeps } from '../../../core/tokens/issue-access-token.ts';
import { keyState } from '../../../core/tokens/key-state.ts';
import { html } from '../html.ts';
import { notice, redirectAfterPost } from '../layout.ts';
import { operatorContext, operatorOnly, operatorSession, recentOperatorAuthentication } from '../operator-only.ts';
import { sendConsolePage } from './console-layout.ts';
import { actionButton, utcTime } from './format.ts';

/** GET /admin/keys (the signing keys and their states) and POST /admin/keys/rotate. */
export function keyPages(app: FastifyInstance, deps: CoreDeps, tokens: TokenDeps): void {
  const operator = operatorOnly(deps);
  app.get<{ Querystring: { done?: string } }>('/admin/keys', { preHandler: operator, schema: { tags: ['pages'], summary: 'Console: the JWT signing keys and their states.' } }, async (request, reply) => {
    const nowMs = deps.clock.nowMs();
    const keys = await tokens.keyRing.listAll();
    return sendConsolePage(reply, 200, operatorSession(request), {
      title: 'Keys',
      section: '/admin/keys',
      body: html`${notice(request.query.done === 'rotated' ? 'A new key is in the JWKS now; it signs once every cache has it. The old key verifies until its last token expires.' : undefined)}<section class="card" aria-labelledby="keys-title"><h1 id="keys-title">Signing keys</h1>
<table class="stack"><thead><tr><th scope="col">Key id</th><th scope="col">Algorithm</th><th scope="col">Use</th><th scope="col">State</th><th scope="col">Signs from</th><th scope="col">Signs until</th><th scope="col">Leaves the JWKS</th></tr></thead><tbody>${keys.map(
        (k) => html`<tr data-kid="${k.kid}"><td><code>${k.kid}</code></td><td data-label="Algorithm">${k.alg}</td><td data-label="Use">${k.purpose === 'id_token' ? 'ID tokens' : 'access tokens'}</td><td data-label="State">${keyState(k, nowMs)}</td><td data-label="Signs from">${utcTime(k.activatesAtMs)}</td><td data-label="Signs until">${utcTime(k.retiresAtMs)}</td><td data-label="Leaves the JWKS">${utcTime(k.expiresAtMs)}</td></tr>`,
      )}</tbody></table>
${actionButton('/admin/keys/rotate', 'Rotate now', { danger: 'danger' })}</section>`,
    });
  });
  // A rotation changes what every API trusts: a recent re-authentication first (docs/security.md SEC-273).
  app.post('/admin/keys/rotate', { preHandler: [operator, recentOperatorAuthentication(deps, () => '/admin/keys')], schema: { tags: ['pages'], summary: 'Console: rotate the signing key now.' } }, async (request, reply) => {
    await rotateSigningKey(deps, tokens, operatorContext(request));
    return redirectAfterPost(reply, '/admin/keys?done=rotated');
  });
}
