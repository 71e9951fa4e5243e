import { createServer } from 'node:net';

/**
 * A free loopback port. A server whose address must be known before it starts (Gatehouse's
 * public URL names the port; PostgreSQL and Redis take it on the command line) gets one here:
 * we ask the kernel for one, release it and hand it on. Another process could take it in
 * between; on a test machine that window is small enough.
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = probe.address();
      const port = address !== null && typeof address === 'object' ? address.port : 0;
      probe.close((error) => {
        if (error !== undefined) reject(error);
        else if (port === 0) reject(new Error('the kernel assigned no port'));
        else resolve(port);
      });
    });
  });
}
