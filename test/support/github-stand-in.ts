import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GitHubEndpoints } from '../../src/core/oauth-client/provider-config.ts';

/**
 * A STAND-IN for GitHub, not GitHub: a small local server that answers GitHub's documented
 * OAuth app endpoints (authorize, access_token) and the two REST endpoints Gatehouse calls
 * (GET /user, GET /user/emails) with the documented shapes. It exists because GitHub is plain
 * OAuth 2.0 with no OpenID Connect (so oidc-provider cannot play it) and cannot be reached from
 * an offline test. It checks what GitHub checks: client credentials, the redirect URI, single-use
 * codes, and the PKCE S256 verifier.
 */

export interface GitHubAccount {
  id: number;
  login: string;
  emails: Array<{ email: string; primary: boolean; verified: boolean }>;
}

export interface GitHubStandIn {
  endpoints: GitHubEndpoints;
  /** Who "signs in" at the next authorize request. */
  signInAs(account: GitHubAccount): void;
  /** Bearer tokens that reached /user and /user/emails. */
  apiTokens: string[];
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startGitHubStandIn(client: { clientId: string; clientSecret: string; redirectUri: string }): Promise<GitHubStandIn> {
  let account: GitHubAccount | null = null;
  const codes = new Map<string, { account: GitHubAccount; challenge: string; redirectUri: string }>();
  const tokens = new Map<string, GitHubAccount>();
  const apiTokens: string[] = [];

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
        // GitHub shows its consent page; the stand-in approves at once for the configured account.
        const redirectUri = url.searchParams.get('redirect_uri') ?? '';
        if (url.searchParams.get('client_id') !== client.clientId || redirectUri !== client.redirectUri || account === null) return json(res, 400, { error: 'bad authorize request' });
        if (url.searchParams.get('code_challenge_method') !== 'S256') return json(res, 400, { error: 'PKCE S256 expected' });
        const code = randomBytes(10).toString('hex');
        codes.set(code, { account, challenge: url.searchParams.get('code_challenge') ?? '', redirectUri });
        const back = new URL(redirectUri);
        back.searchParams.set('code', code);
        back.searchParams.set('state', url.searchParams.get('state') ?? '');
        res.writeHead(302, { location: back.href });
        return res.end();
      }
      if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
        const form = new URLSearchParams(await readBody(req));
        // GitHub answers token errors with 200 and an `error` member.
        if (form.get('client_id') !== client.clientId || form.get('client_secret') !== client.clientSecret) return json(res, 200, { error: 'incorrect_client_credentials' });
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (grant === undefined || form.get('redirect_uri') !== grant.redirectUri) return json(res, 200, { error: 'bad_verification_code' });
        if (createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url') !== grant.challenge) return json(res, 200, { error: 'bad_verification_code' });
        const token = `gho_${randomBytes(18).toString('hex')}`;
        tokens.set(token, grant.account);
        return json(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
      }
      const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const who = bearer === undefined ? undefined : tokens.get(bearer);
      if (req.method === 'GET' && (url.pathname === '/user' || url.pathname === '/user/emails')) {
        if (who === undefined) return json(res, 401, { message: 'Requires authentication' });
        apiTokens.push(bearer as string);
        if (url.pathname === '/user') return json(res, 200, { login: who.login, id: who.id, name: who.login, email: null });
        return json(res, 200, who.emails.map((e) => ({ ...e, visibility: e.primary ? 'public' : null })));
      }
      return json(res, 404, { message: 'Not Found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  return {
    endpoints: { authorization: `${base}/login/oauth/authorize`, token: `${base}/login/oauth/access_token`, user: `${base}/user`, emails: `${base}/user/emails` },
    signInAs(next) {
      account = next;
    },
    apiTokens,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
