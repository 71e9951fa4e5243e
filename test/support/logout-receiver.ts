import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

/** A logout token as an app checks it (Back-Channel Logout 1.0 §2.6), with what came with it. */
export interface ReceivedLogout {
  claims: JWTPayload;
  contentType: string;
  /** The form's parameter names: only `logout_token` is expected. */
  parameters: string[];
}

export interface LogoutReceiver {
  url: string;
  received: ReceivedLogout[];
  /** What the receiver refused (a token that did not verify), with the reason. */
  refused: string[];
  /** Answers with this status next (then 200 again), to make a delivery fail once. */
  failNext(status: number): void;
  /** Resolves once `count` valid logout tokens have arrived. */
  waitFor(count: number): Promise<ReceivedLogout[]>;
  close(): Promise<void>;
}

const event = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * A real local HTTP server that plays an app's back-channel logout endpoint: it reads the form
 * body, verifies the `logout_token` with jose against the provider's keys (signature, `typ:
 * logout+jwt`, issuer, audience = the client id, `iat`, `exp`, `jti`, `sid`, the back-channel event,
 * and no `nonce`), answers 200 with `Cache-Control: no-store`, or 400 for a token that fails.
 */
export async function startLogoutReceiver(options: { keys: JWTVerifyGetKey; issuer: string; clientId: string; currentDate?: () => Date; path?: string }): Promise<LogoutReceiver> {
  const received: ReceivedLogout[] = [];
  const refused: string[] = [];
  const waiters: Array<{ count: number; resolve: (r: ReceivedLogout[]) => void }> = [];
  let failStatus: number | null = null;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      void (async () => {
        if (failStatus !== null) {
          const status = failStatus;
          failStatus = null;
          res.writeHead(status).end();
          return;
        }
        try {
          assert.equal(req.method, 'POST');
          const form = new URLSearchParams(body);
          const token = form.get('logout_token') ?? '';
          const { payload } = await jwtVerify(token, options.keys, {
            issuer: options.issuer,
            audience: options.clientId,
            typ: 'logout+jwt',
            requiredClaims: ['iat', 'exp', 'jti', 'events', 'sid'],
            ...(options.currentDate === undefined ? {} : { currentDate: options.currentDate() }),
          });
          assert.deepEqual((payload['events'] as Record<string, unknown> | undefined)?.[event], {}, 'the back-channel logout event');
          assert.equal('nonce' in payload, false, 'no nonce in a logout token');
          received.push({ claims: payload, contentType: String(req.headers['content-type']), parameters: [...form.keys()] });
          for (const waiter of waiters.filter((w) => received.length >= w.count)) waiter.resolve([...received]);
          res.writeHead(200, { 'cache-control': 'no-store' }).end();
        } catch (error) {
          refused.push(String(error));
          res.writeHead(400).end();
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${options.path ?? '/backchannel-logout'}`;
  return {
    url,
    received,
    refused,
    failNext(status) {
      failStatus = status;
    },
    waitFor(count) {
      if (received.length >= count) return Promise.resolve([...received]);
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
