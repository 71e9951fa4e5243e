import { Command } from 'commander';
import type { TokenDeps } from '../core/tokens/issue-access-token.ts';
import { keyState } from '../core/tokens/key-state.ts';
import { printTable } from './table.ts';

/** Runs `work` with the token machinery opened on the configured database, then closes it. */
export type WithTokens = <T>(work: (tokens: TokenDeps) => Promise<T>) => Promise<T>;

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());

/**
 * `gatehouse keys list | rotate`: the JWT signing keys.
 *
 * @example
 * program.addCommand(keysCommand((work) => withTokens(program, work)));
 */
export function keysCommand(withTokens: WithTokens): Command {
  const keys = new Command('keys').description('JWT signing keys: list them, or rotate to a new one');

  keys
    .command('list')
    .description('every key with its state: published, signing, retired, and when it leaves the JWKS')
    .action(async () => {
      const rows = await withTokens(async (tokens) => {
        const nowMs = tokens.clock.nowMs();
        return (await tokens.keyRing.listAll()).map((k) => ({
          kid: k.kid,
          alg: k.alg,
          use: k.purpose === 'id_token' ? 'id tokens' : 'access tokens',
          state: keyState(k, nowMs),
          'signs from': iso(k.activatesAtMs),
          'signs until': iso(k.retiresAtMs),
          'leaves JWKS': iso(k.expiresAtMs),
        }));
      });
      printTable(rows, '(no keys yet: the server creates one at start-up)');
    });

  keys
    .command('rotate')
    .description('add a new key: published in the JWKS at once, signing after the publish-ahead delay; the old key stays until its tokens expire')
    .action(async () => {
      // Every ring rotates: the access token ring, and each ID token algorithm that has keys.
      const results = await withTokens(async (tokens) => [await tokens.keyRing.rotate(), ...(await tokens.idTokenKeys.rotate())]);
      for (const result of results) {
        console.log(`new key ${result.kid}: in the JWKS now, signs from ${iso(result.activatesAtMs)}`);
        if (result.retiredKid !== null) console.log(`key ${result.retiredKid} signs until then, and stays in the JWKS until its last token has expired`);
      }
    });

  return keys;
}
