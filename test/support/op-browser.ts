/**
 * A minimal browser for the OpenID Provider tests: real HTTP against a running Gatehouse, a
 * cookie jar for its origin, redirects followed by hand, and the login, re-authentication and
 * consent forms filled in like a user would. It stops when the browser is sent to the relying
 * party (any URL off the Gatehouse origin) or when a page needs a decision it was not told.
 */

export interface Credentials {
  email: string;
  password: string;
}

export type BrowserStop =
  /** Sent to the relying party's redirect URI (query response mode). */
  | { kind: 'redirect'; url: URL }
  /** A form_post page: the fields it would post to `action`. */
  | { kind: 'form_post'; action: string; fields: Record<string, string>; html: string; csp: string | null }
  /** A Gatehouse page it stops on: the consent page (when told to), an error page, a login form without credentials. */
  | { kind: 'page'; status: number; url: URL; html: string; headers: Headers };

export interface FlowOptions {
  /** Filled in at /login and /account/reauth; without them the browser stops at those pages. */
  credentials?: Credentials;
  /** What to answer on the consent page; `stop` returns the page. */
  consent?: 'allow' | 'deny' | 'stop';
}

const attribute = (html: string, pattern: RegExp): string | undefined => pattern.exec(html)?.[1];
const unescape = (value: string): string => value.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

export class OpBrowser {
  readonly cookies = new Map<string, string>();
  readonly origin: string;
  constructor(origin: string) {
    this.origin = origin;
  }

  private remember(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line) || /expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private cookieHeader(): Record<string, string> {
    return this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  async get(url: string | URL): Promise<Response> {
    const response = await fetch(new URL(url, this.origin), { redirect: 'manual', headers: { ...this.cookieHeader(), 'sec-fetch-site': 'none' } });
    this.remember(response);
    return response;
  }

  /** A same-origin form post, as the browser sends it from a Gatehouse page. */
  async post(url: string | URL, form: Record<string, string>): Promise<Response> {
    const response = await fetch(new URL(url, this.origin), {
      method: 'POST',
      redirect: 'manual',
      headers: { ...this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', origin: this.origin, 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams(form),
    });
    this.remember(response);
    return response;
  }

  /** Logs in through the login page (password, no second factor). */
  async logIn(credentials: Credentials): Promise<void> {
    const response = await this.post('/login', { email: credentials.email, password: credentials.password, return_to: '/account' });
    if (response.status !== 303) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  }

  /**
   * Opens `url` (an authorization request) and goes where Gatehouse sends it, filling in forms as
   * told, until it leaves for the relying party or stops on a page.
   */
  async authorize(url: string | URL, options: FlowOptions = {}): Promise<BrowserStop> {
    let response = await this.get(url);
    for (let step = 0; step < 20; step++) {
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location !== null) {
        const next = new URL(location, this.origin);
        if (next.origin !== this.origin) return { kind: 'redirect', url: next };
        if (next.pathname === '/login' && options.credentials !== undefined) {
          const returnTo = next.searchParams.get('return_to') ?? '/account';
          await response.body?.cancel();
          const page = await this.get(next);
          if (page.status === 303) {
            response = page;
            continue;
          }
          await page.body?.cancel();
          response = await this.post('/login', { email: options.credentials.email, password: options.credentials.password, return_to: returnTo });
          continue;
        }
        if (next.pathname === '/account/reauth' && options.credentials !== undefined) {
          await response.body?.cancel();
          response = await this.post('/account/reauth', { password: options.credentials.password, return_to: next.searchParams.get('return_to') ?? '/account' });
          continue;
        }
        await response.body?.cancel();
        response = await this.get(next);
        continue;
      }
      const html = await response.text();
      const url2 = new URL(response.url || String(url), this.origin);
      if (html.includes('data-auto-submit')) {
        const action = unescape(attribute(html, /<form method="post" action="([^"]*)" data-auto-submit/) ?? '');
        const fields: Record<string, string> = {};
        for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[unescape(match[1]!)] = unescape(match[2]!);
        return { kind: 'form_post', action, fields, html, csp: response.headers.get('content-security-policy') };
      }
      if (html.includes('data-authorize="consent"') && (options.consent === 'allow' || options.consent === 'deny')) {
        const requestId = unescape(attribute(html, /name="request" value="([^"]*)"/) ?? '');
        response = await this.post('/oauth2/authorize/consent', { request: requestId, decision: options.consent });
        continue;
      }
      return { kind: 'page', status: response.status, url: url2, html, headers: response.headers };
    }
    throw new Error('too many redirects');
  }
}

/** The redirect URL a flow ended at, or a failure that shows where it stopped instead. */
export function redirected(stop: BrowserStop): URL {
  if (stop.kind !== 'redirect') throw new Error(`expected a redirect to the client, got ${stop.kind}: ${stop.kind === 'page' ? `${stop.status} ${stop.html.slice(0, 600)}` : JSON.stringify(stop)}`);
  return stop.url;
}
