// `npm run fuzz -- --runs 100000 [--seed N]`: the OpenAPI fuzzer of test/http/app.fuzz.test.ts
// for as long as asked. Prints the seed first, progress every 1,000 cases, and on failure the
// broken invariant with the case (fast-check's seed and path reproduce it).
import { parseArgs } from 'node:util';
import { runOpenApiFuzz } from '../test/support/openapi-fuzz.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10000' }, seed: { type: 'string' } } });
const runs = Number(values.runs);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isSafeInteger(runs) || runs < 1 || !Number.isSafeInteger(seed)) {
  console.error('usage: npm run fuzz -- [--runs 100000] [--seed N]');
  process.exit(2);
}
console.log(`fuzz: ${runs} cases, seed ${seed}`);
const startedAt = performance.now();
try {
  await runOpenApiFuzz({
    runs,
    seed,
    onProgress: (done) => console.log(`  ${done} cases, ${((performance.now() - startedAt) / 1000).toFixed(1)} s`),
  });
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  console.error(`fuzz: FAILED (seed ${seed}); rerun: npm run fuzz -- --runs ${runs} --seed ${seed}`);
  process.exit(1);
}
console.log(`fuzz: ${runs} cases passed in ${((performance.now() - startedAt) / 1000).toFixed(1)} s (seed ${seed})`);
