import type { AppConfig } from '../../src/http/app-config.ts';

/** The protected app of the forward-auth tests, and the proxy in front of it. */
export const protectedApp = 'https://app.test';
export const trustedProxy = '10.9.8.7';

/** What a trusted proxy in front of https://app.test sends for `uri`. */
export function forwardedFor(uri: string, host = 'app.test', proto = 'https'): Record<string, string> {
  return { 'x-forwarded-proto': proto, 'x-forwarded-host': host, 'x-forwarded-uri': uri };
}

/** Forward auth in status mode: the whole app needs a session, its /admin a second factor. */
export const statusModeForwardAuth = {
  trustedProxies: [trustedProxy],
  allowedReturnOrigins: [protectedApp],
  forwardAuth: {
    mode: 'status',
    accessRules: [
      { origin: protectedApp, pathPrefix: '/', requirement: 'session' },
      { origin: protectedApp, pathPrefix: '/admin', requirement: 'second-factor' },
    ],
  },
} satisfies Partial<AppConfig>;
