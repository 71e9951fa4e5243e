import { createVerifier } from '../../packages/sdk/src/index.ts';

/**
 * A resource server for the revocation benchmark: an SDK verifier following Gatehouse's
 * revocation feed, in its own process. It reports each revocation the moment the SDK applies
 * it, stamped with this machine's wall clock (the parent stamps the revoking response with the
 * same clock). Settings arrive in argv[2] as JSON.
 */

const { issuer, audience, clientId, clientSecret } = JSON.parse(process.argv[2] ?? '') as Record<string, string>;
const send = (message: object): void => {
  if (process.connected) process.send?.(message);
};
const now = (): number => performance.timeOrigin + performance.now();

const verifier = createVerifier({
  issuer: issuer as string,
  audience: audience as string,
  revocationFeed: {
    clientId: clientId as string,
    clientSecret: clientSecret as string,
    onRevocation: (entry) => send({ type: 'revocation', sid: entry.sid ?? null, atMs: now() }),
  },
});
process.on('disconnect', () => {
  verifier.close();
  process.exit(0);
});
await verifier.ready();
send({ type: 'ready' });
