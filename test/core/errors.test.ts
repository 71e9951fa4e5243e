import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { errorCatalog } from '../../src/core/errors.ts';

/** docs/errors.md and the catalog in src/core/errors.ts agree, in both directions (as fastify's own errors test does). */

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
/** Every table row `| \`code\` | status | meaning |`. */
const documented = new Map([...doc.matchAll(/^\| `([a-z0-9_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1] as string, Number(m[2])]));

describe('docs/errors.md', () => {
  it('documents every error code', () => {
    for (const code of Object.keys(errorCatalog)) assert.ok(documented.has(code), `${code} is missing from docs/errors.md`);
  });

  it('documents no code that does not exist', () => {
    for (const code of documented.keys()) assert.ok(Object.hasOwn(errorCatalog, code), `docs/errors.md documents ${code}, which src/core/errors.ts does not have`);
  });

  it('gives each code the status it is answered with', () => {
    for (const [code, status] of documented) {
      if (!Object.hasOwn(errorCatalog, code)) continue;
      assert.equal(status, errorCatalog[code as keyof typeof errorCatalog].status, code);
    }
  });
});
