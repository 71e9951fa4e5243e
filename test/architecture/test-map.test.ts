import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, typeScriptFiles } from '../support/source-files.ts';

/**
 * test/README.md is the map of the tests: every test file mirrors a source file by its rule
 * (`test/<path>/<name>[.<aspect>].test.ts` for `src/<path>/<name>.ts`; test/sdk and test/browser
 * for the packages), or the README lists it (the file or a folder holding it).
 */

const readme = readFileSync(join(repoRoot, 'test/README.md'), 'utf8');
/** Every `test/...` path in backticks in the README. */
const listed = [...readme.matchAll(/`(test\/[^`\s*<]*)`/g)].map((m) => m[1] as string);

/** Where the source a test file mirrors would be. */
function mirroredSource(testFile: string): string {
  const relative = testFile.slice('test/'.length);
  const slash = relative.lastIndexOf('/');
  const dir = slash === -1 ? '' : relative.slice(0, slash + 1);
  const name = relative.slice(slash + 1).split('.')[0] as string;
  for (const pkg of ['sdk', 'browser']) {
    if (dir.startsWith(`${pkg}/`)) return `packages/${pkg}/src/${dir.slice(pkg.length + 1)}${name}.ts`;
  }
  return `src/${dir}${name}.ts`;
}

describe('test/README.md', () => {
  it('names only paths that exist', () => {
    assert.ok(listed.length > 10, `found ${listed.length} paths`);
    for (const path of listed) assert.ok(existsSync(join(repoRoot, path)), `test/README.md names ${path}, which does not exist`);
  });

  it('lists every test file that does not mirror a source file', () => {
    const unmapped = typeScriptFiles('test')
      .filter((file) => file.endsWith('.test.ts'))
      .filter((file) => !existsSync(join(repoRoot, mirroredSource(file))))
      .filter((file) => !listed.some((path) => file === path || (path.endsWith('/') && file.startsWith(path))));
    assert.deepEqual(unmapped, [], 'mirror these (test/<path>/<name>[.<aspect>].test.ts) or list them in test/README.md');
  });
});
