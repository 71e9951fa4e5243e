// bin/gatehouse.js: on a Node that cannot run TypeScript it says what to do, instead of the bare
// ERR_UNKNOWN_FILE_EXTENSION of the first `.ts` import.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pinnedNode, repoRoot } from '../support/cli-process.ts';

const bin = join(repoRoot, 'bin', 'gatehouse.js');

describe('bin/gatehouse.js', () => {
  it('on a Node without type stripping: exit 1 naming the Node it needs and the pinned one, no stack trace', () => {
    const result = spawnSync(pinnedNode, ['--no-experimental-strip-types', bin, '--help'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /^gatehouse: this Node\.js \(v\d+\.\d+\.\d+\) cannot run TypeScript sources; Gatehouse needs Node\.js 22\.18 or newer/);
    assert.match(result.stderr, /npm start/);
    assert.doesNotMatch(result.stderr, /ERR_UNKNOWN_FILE_EXTENSION|    at /);
  });

  it('on the pinned Node: runs the CLI', () => {
    const result = spawnSync(pinnedNode, [bin, '--help'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Usage: gatehouse/);
  });
});
