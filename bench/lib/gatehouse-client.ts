import { randomBytes } from 'node:crypto';

/**
 * Sets up what the Gatehouse benchmarks load: accounts created through the public API
 * (POST /v1/users, which never logs in), and the session cookie of the first one's login. The
 * bench servers let unverified accounts log in (GATEHOUSE_REQUIRE_VERIFIED_EMAIL=false): there is
 * no mailbox to click a link in, and verification is not what is measured.
 */

export const sessionCookieName = '__Host-gatehouse_session';

export interface Account {
  email: string;
  password: string;
}

export interface PreparedGatehouse {
  accounts: Account[];
  /** `__Host-gatehouse_session=<id.secret>`, ready for a Cookie header. */
  sessionCookie: string;
}

async function describe(response: Response): Promise<string> {
  const body = await response.text().catch(() => '');
  return `${response.status} ${response.statusText} ${body.slice(0, 300)}`;
}

/** Sign-ups are throttled per IP (10 free), so keep `count` below that. */
export async function prepareGatehouse(baseUrl: string, count: number, passwordLength: number): Promise<PreparedGatehouse> {
  const accounts: Account[] = [];
  let sessionCookie: string | null = null;
  const run = randomBytes(4).toString('hex');
  for (let i = 0; i < count; i += 1) {
    const account = { email: `bench-${run}-${i}@example.com`, password: randomBytes(passwordLength).toString('base64url').slice(0, passwordLength) };
    const response = await fetch(`${baseUrl}/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(account),
    });
    if (response.status !== 202) throw new Error(`sign-up of ${account.email} failed: ${await describe(response)}`);
    await response.body?.cancel();
    accounts.push(account);
  }
  const first = await fetch(`${baseUrl}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(accounts[0]) });
  if (first.status !== 200) throw new Error(`POST /v1/session (first login): ${await describe(first)}`);
  await first.body?.cancel();
  const cookie = first.headers.getSetCookie().find((c) => c.startsWith(`${sessionCookieName}=`));
  if (cookie !== undefined) sessionCookie = cookie.split(';')[0] as string;
  if (sessionCookie === null) throw new Error('no accounts created');

  // Check both requests answer 200 before loading them: a benchmark of 401s measures nothing.
  const check = await fetch(`${baseUrl}/v1/session`, { headers: { cookie: sessionCookie } });
  if (check.status !== 200) throw new Error(`GET /v1/session with the new cookie: ${await describe(check)}`);
  await check.body?.cancel();
  const login = await fetch(`${baseUrl}/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(accounts[0]),
  });
  if (login.status !== 200) throw new Error(`POST /v1/session (login): ${await describe(login)}`);
  await login.body?.cancel();
  return { accounts, sessionCookie };
}

/** The public client bench/servers/gatehouse.ts registers for the token benchmarks. */
export const benchClientId = 'bench-web';

/** Runs `count` calls of `task` with at most `concurrency` in flight. */
async function inParallel<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return results;
}

export interface TokenFamily {
  accessToken: string;
  refreshToken: string;
}

/**
 * `count` new refresh-token families (each a new session), through the password grant as a
 * client would get them. Every refresh token returned has never been presented.
 */
export async function newRefreshFamilies(baseUrl: string, account: Account, count: number, concurrency = 4): Promise<TokenFamily[]> {
  return inParallel(count, concurrency, async () => {
    const response = await fetch(`${baseUrl}/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', client_id: benchClientId, username: account.email, password: account.password }),
    });
    if (response.status !== 200) throw new Error(`password grant failed: ${await describe(response)}`);
    const body = (await response.json()) as { access_token: string; refresh_token?: string };
    if (body.refresh_token === undefined) throw new Error('the password grant returned no refresh token');
    return { accessToken: body.access_token, refreshToken: body.refresh_token };
  });
}
