/**
 * `@gatehouse/browser`: access tokens for a browser app without ever putting a token where a script
 * can read it. Depends on nothing; runs in any modern browser.
 */
export { createBrowserAuth, type BrowserAuth, type BrowserAuthOptions, type LockManagerLike } from './create-browser-auth.ts';
export { GatehouseBrowserError, type BrowserAuthErrorCode } from './browser-auth-error.ts';
