import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, typeScriptFiles } from '../support/source-files.ts';

/** STYLE.md: one file per operation, route or grant; ~300 lines is a smell, 400 is the limit. */
const maxLines = 400;

describe('source files', () => {
  it(`are at most ${maxLines} lines each (split a longer one by operation or by repository)`, () => {
    const sources = [...typeScriptFiles('src'), ...typeScriptFiles('packages/sdk/src'), ...typeScriptFiles('packages/browser/src')];
    assert.ok(sources.length > 100, `found ${sources.length} source files`);
    const tooLong = sources
      .map((file) => ({ file, lines: readFileSync(join(repoRoot, file), 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > maxLines)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    assert.deepEqual(tooLong, []);
  });
});
