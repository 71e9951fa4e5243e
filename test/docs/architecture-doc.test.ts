import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../support/source-files.ts';

/** docs/architecture.md stays true: every file or folder it names, in its text or its diagrams, exists. */

const doc = readFileSync(join(repoRoot, 'docs/architecture.md'), 'utf8');
/** Repository paths: src/..., test/..., docs/..., packages/..., scripts/... (a trailing / for a folder). */
const paths = [...new Set([...doc.matchAll(/\b(?:src|test|docs|packages|scripts|bench)\/[A-Za-z0-9_./-]*[A-Za-z0-9_/]/g)].map((m) => m[0]))];

describe('docs/architecture.md', () => {
  it('names many paths, and every one exists', () => {
    assert.ok(paths.length > 40, `found ${paths.length} paths`);
    const missing = paths.filter((path) => !existsSync(join(repoRoot, path)));
    assert.deepEqual(missing, [], 'docs/architecture.md names paths that do not exist');
  });

  it('has diagrams GitHub renders (Mermaid)', () => {
    assert.ok((doc.match(/```mermaid\n/g) ?? []).length >= 4);
  });
});
