import { parseArgs } from 'node:util';
import { makeFixture, runVerifyCase, type VerifyCase } from './lib/verify-cases.ts';
import { formatRate, median, renderTable, spreadPercent } from './lib/report.ts';

/**
 * `node bench/sdk-verify.ts`: in-process cost of verifying a Gatehouse access token with the SDK,
 * against jose's jwtVerify alone and raw node:crypto signature checks, for every algorithm
 * (`npm run bench` measures EdDSA, the default, in its table). Cases: bench/lib/verify-cases.ts.
 *
 * Each round runs every case once, in rotating order, so a slow moment hits all of them; figures
 * are medians of the rounds. Targets: seen-before >= 200,000/s; never-seen >= 0.8 of jose (jwks).
 */

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    tokens: { type: 'string', default: '3000' },
    'case-ms': { type: 'string', default: '300' },
  },
});
const rounds = Number(flags.rounds);
const tokenCount = Number(flags.tokens);
const caseMs = Number(flags['case-ms']);

const cases: VerifyCase[] = ['sdk-seen', 'sdk-never-seen', 'jose-verify', 'jose-verify-key', 'crypto-verify'];
const labels: Record<VerifyCase, string> = {
  'sdk-seen': 'sdk seen before',
  'sdk-never-seen': 'sdk never seen',
  'jose-verify': 'jose jwtVerify (jwks)',
  'jose-verify-key': 'jose jwtVerify (key)',
  'crypto-verify': 'node:crypto verify',
};

console.log(`node ${process.version}, ${tokenCount} tokens per algorithm, ${rounds} rounds (+1 warm-up) of ${caseMs} ms per case, medians`);
const rows: string[][] = [];
const summary: string[] = [];
for (const alg of ['ES256', 'EdDSA', 'RS256'] as const) {
  const fixture = await makeFixture(alg, tokenCount);
  const results = new Map<VerifyCase, number[]>(cases.map((name) => [name, []]));
  for (let round = 0; round <= rounds; round += 1) {
    for (let offset = 0; offset < cases.length; offset += 1) {
      const which = cases[(round + offset) % cases.length] as VerifyCase;
      const { perSecond } = await runVerifyCase(fixture, which, caseMs);
      if (round > 0) results.get(which)?.push(perSecond);
    }
  }
  const jose = median(results.get('jose-verify') ?? []);
  for (const name of cases) {
    const values = results.get(name) ?? [];
    rows.push([alg, labels[name], formatRate(median(values), '/s'), `${(median(values) / jose).toFixed(2)}x`, `±${(spreadPercent(values) / 2).toFixed(0)}%`]);
  }
  const hit = median(results.get('sdk-seen') ?? []);
  const miss = median(results.get('sdk-never-seen') ?? []);
  summary.push(
    `${alg}: seen-before ${formatRate(hit, '/s')} (target >= 200,000/s: ${hit >= 200_000 ? 'met' : 'MISSED'}); ` +
      `never-seen / jose = ${(miss / jose).toFixed(2)} (target >= 0.80: ${miss / jose >= 0.8 ? 'met' : 'MISSED'})`,
  );
}
console.log(renderTable(['alg', 'case', 'ops/s', 'vs jose (jwks)', 'spread'], rows, new Set([2, 3, 4])));
console.log(summary.join('\n'));
