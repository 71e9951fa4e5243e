// A resource server in its own process: an SDK verifier following the revocation feed, driven
// by the parent test over IPC. Not a test file itself (no .test.ts).
import { createVerifier, GatehouseTokenError } from '../../../packages/sdk/src/index.ts';

const send = (message: object): void => {
  process.send?.(message);
};

const verifier = createVerifier({
  issuer: process.env.ISSUER as string,
  audience: process.env.AUDIENCE as string,
  // Several instances behind one public URL: the keys and the feed may come from a given instance.
  ...(process.env.JWKS_URI === undefined ? {} : { jwksUri: process.env.JWKS_URI }),
  revocationFeed: {
    ...(process.env.FEED_URL === undefined ? {} : { url: process.env.FEED_URL }),
    clientId: process.env.FEED_CLIENT_ID as string,
    clientSecret: process.env.FEED_CLIENT_SECRET as string,
    onRevocation: (entry) => send({ type: 'revocation', sid: entry.sid ?? null, jti: entry.jti ?? null, atMs: Date.now() }),
  },
});

process.on('message', (message: { type: string; token?: string; id?: number }) => {
  if (message.type === 'verify') {
    verifier.verify(message.token ?? '').then(
      (claims) => send({ type: 'verified', id: message.id, ok: true, sid: claims.sid }),
      (error: unknown) => send({ type: 'verified', id: message.id, ok: false, code: error instanceof GatehouseTokenError ? error.code : String(error) }),
    );
  } else if (message.type === 'stop') {
    verifier.close();
    process.disconnect();
  }
});

await verifier.ready();
send({ type: 'ready' });
