import type { FastifyInstance } from 'fastify';
import { AuthError } from '../../core/errors.ts';

/** `Host` as a browser sends it to a loopback server: a loopback name, an optional port, nothing else. */
const loopbackHost = /^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/i;

/**
 * Dev mode only (docs/security.md SEC-214): answers only requests addressed to a loopback name.
 * Dev mode listens on loopback (SEC-108), but a web page the developer visits can still reach it
 * through DNS rebinding: its own name re-resolved to 127.0.0.1 makes the browser treat the dev
 * server as that page's origin, so the page reads /dev/mail (every reset link and code) and the
 * inspector, and its posts pass the CSRF check (`Sec-Fetch-Site: same-origin`). Such a request
 * carries the attacker's name in `Host`; refusing every Host but localhost, 127.0.0.1 and [::1]
 * closes it. Production is behind a proxy that may rewrite Host, and has no unauthenticated
 * secrets to read, so the check is not made there.
 */
export function registerDevHostCheck(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const host = request.headers.host;
    if (host === undefined || !loopbackHost.test(host)) {
      done(new AuthError('misdirected_request', { detail: 'Dev mode answers only http://localhost, http://127.0.0.1 and http://[::1].' }));
      return;
    }
    done();
  });
}
