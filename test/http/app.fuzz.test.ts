// The OpenAPI fuzzer (test/support/openapi-fuzz.ts) in `npm test`: 5,000 cases with a fixed seed,
// so a failure reproduces. Long runs: `npm run fuzz -- --runs 100000 [--seed N]`.
import { test } from 'node:test';
import { runOpenApiFuzz } from '../support/openapi-fuzz.ts';

const seed = 20261206;
const runs = 5000;

test(`every route in the OpenAPI document, ${runs} fuzzed requests (seed ${seed}): no 5xx, problem+json errors, refusals change no row, no secret in a response (SEC-162)`, { timeout: 600_000 }, async () => {
  try {
    await runOpenApiFuzz({ runs, seed });
  } catch (error) {
    console.error(`fuzz failed with seed ${seed}: rerun with npm run fuzz -- --runs ${runs} --seed ${seed}`);
    throw error;
  }
});
