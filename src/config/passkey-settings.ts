/** The passkey settings this checks (GatehouseConfig['passkeys']). */
export interface PasskeySettings {
  rpId: string;
  origins: readonly string[];
}

const where = {
  rpId: 'passkeys.rpId (GATEHOUSE_PASSKEY_RP_ID)',
  origins: 'passkeys.origins (GATEHOUSE_PASSKEY_ORIGINS)',
};

const coveredBy = (host: string, rpId: string): boolean => host === rpId || host.endsWith(`.${rpId}`);

/**
 * Checks the passkey settings against the public URL, adding each problem to `problems`:
 * - the RP ID (empty: the public URL's host) must be that host or a suffix of it with at least
 *   two labels: browsers refuse a passkey for `com`, and `localhost` is accepted only as the host
 *   itself;
 * - every extra origin must be on the RP ID or below it, and https (plain http only on
 *   `localhost`, which browsers treat as secure). A browser refuses to make or use a passkey for
 *   an RP ID its page's origin is not under, so such an origin could never answer: it is a
 *   mistake, said at start-up rather than left to fail in a user's browser.
 */
export function checkPasskeySettings(passkeys: PasskeySettings, publicUrl: string | undefined, problems: string[]): void {
  if (publicUrl === undefined || !URL.canParse(publicUrl)) return;
  const host = new URL(publicUrl).hostname;
  const rpId = passkeys.rpId === '' ? host : passkeys.rpId;
  if (!coveredBy(host, rpId)) {
    problems.push(`${where.rpId}: must be the public URL's host (${host}) or a suffix of it`);
    return;
  }
  if (rpId !== host && !rpId.includes('.')) {
    problems.push(`${where.rpId}: ${rpId} is a single label; use the public URL's host (${host}) or a registrable domain above it, such as example.com`);
    return;
  }
  const outside = passkeys.origins.filter((origin) => {
    if (!URL.canParse(origin)) return false; // the setting's own check reports it
    const url = new URL(origin);
    const local = url.hostname === 'localhost' || url.hostname.endsWith('.localhost');
    return !coveredBy(url.hostname, rpId) || (url.protocol !== 'https:' && !local);
  });
  if (outside.length > 0) problems.push(`${where.origins}: each must be https and on the RP ID ${rpId} or below it: ${outside.join(', ')}`);
}
