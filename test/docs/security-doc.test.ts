// docs/security.md is the project's threat model and its list of security cases. This keeps the
// list and the tests honest in both directions: every case names tests that exist and cite it,
// every id cited anywhere exists, and nothing refers to a security document outside the repo.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const thisFile = relative(root, fileURLToPath(import.meta.url));

/**
 * Cases that are documented (and may be cited by code) but whose tests have not landed yet, such as
 * an issue 10 fix in progress. A pending row says `pending` where other rows name their tests. As soon
 * as any test cites a pending id, this test fails until its row names the test and the id leaves
 * this list, so "pending" can never hide a case that is in fact tested, nor linger after.
 */
const pending: ReadonlySet<number> = new Set([]);

interface Case {
  readonly id: number;
  readonly line: number;
  readonly tests: readonly string[];
  readonly pending: boolean;
}

const caseRow = /^\|\s*SEC-(\d+)\s*\|/;
const citation = /\bSEC-(\d+)(?!\d)/g;

function readCases(): Case[] {
  const lines = readFileSync(join(root, 'docs/security.md'), 'utf8').split('\n');
  const cases: Case[] = [];
  lines.forEach((text, index) => {
    const match = caseRow.exec(text);
    if (match === null) return;
    const cells = text.split('|').map((cell) => cell.trim());
    const provedBy = cells.at(-2) ?? '';
    cases.push({
      id: Number(match[1]),
      line: index + 1,
      tests: [...provedBy.matchAll(/`([^`]+)`/g)].map((m) => m[1]!),
      pending: /^pending\b/i.test(provedBy),
    });
  });
  return cases;
}

/** Every text file under `dir` (relative to the repo root), skipping dependencies, git and build output. */
function filesUnder(dir: string): string[] {
  const full = join(root, dir);
  if (!existsSync(full)) return [];
  if (statSync(full).isFile()) return [dir];
  return readdirSync(full, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === '.git' || entry.name === 'dist') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return /\.(ts|js|mjs|cjs|md|json|sh|txt|html|css|ya?ml)$/.test(entry.name) ? [path] : [];
  });
}

const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const cites = (text: string, id: number): boolean => [...text.matchAll(citation)].some((m) => Number(m[1]) === id);

/** Where the project cites case ids (the doc itself defines them). */
const citingFiles = (): string[] =>
  ['src', 'test', 'scripts', 'bench', 'packages', 'bin', 'docs', 'README.md', 'SECURITY.md']
    .flatMap(filesUnder)
    .filter((path) => path !== 'docs/security.md' && path !== thisFile);

describe('docs/security.md', () => {
  const cases = readCases();
  const ids = new Set(cases.map((c) => c.id));

  it('lists cases, each id once', () => {
    assert.ok(cases.length >= 56, `only ${cases.length} case rows found`);
    const seen = new Set<number>();
    for (const c of cases) {
      assert.ok(!seen.has(c.id), `SEC-${c.id} is listed twice (line ${c.line})`);
      seen.add(c.id);
    }
  });

  it('every case names at least one test file, each exists and cites the case', () => {
    for (const c of cases) {
      if (c.pending) continue;
      assert.ok(c.tests.length > 0, `SEC-${c.id} (line ${c.line}) names no test file`);
      for (const path of c.tests) {
        assert.ok(/^test\/.+\.test\.ts$/.test(path), `SEC-${c.id} names ${path}, which is not a test file under test/`);
        assert.ok(existsSync(join(root, path)), `SEC-${c.id} names ${path}, which does not exist`);
        assert.ok(cites(read(path), c.id), `${path} does not cite SEC-${c.id} (put the id in a test name or comment)`);
      }
    }
  });

  it('a case is pending only while no test cites it', () => {
    const testFiles = filesUnder('test').filter((path) => path !== thisFile);
    for (const c of cases.filter((c) => c.pending)) {
      assert.ok(pending.has(c.id), `SEC-${c.id} says pending but is not in this test's pending list`);
    }
    for (const id of pending) {
      const row = cases.find((c) => c.id === id);
      assert.ok(row?.pending, `SEC-${id} is in the pending list but its row is missing or names tests: take it off the list`);
      const citing = testFiles.filter((path) => cites(read(path), id));
      assert.deepEqual(
        citing,
        [],
        `SEC-${id} is cited by ${citing.join(', ')}: name those files in its row of docs/security.md and take it off the pending list`,
      );
    }
  });

  it('every SEC-<n> cited in the repo is a case', () => {
    const unknown: string[] = [];
    for (const path of citingFiles()) {
      for (const m of read(path).matchAll(citation)) {
        if (!ids.has(Number(m[1]))) unknown.push(`${path}: SEC-${m[1]}`);
      }
    }
    assert.deepEqual(unknown, [], 'cited ids missing from docs/security.md');
  });

  it('nothing refers to a security document outside the repo', () => {
    // The old brief was cited as "SECURITY.md 47", "SECURITY 22" or "SECURITY.md \"Area\" 9-15".
    // A repo-root SECURITY.md (how to report a vulnerability) is fine; a case number after it is not.
    const outside = [/shared\/SECURITY\.md/, /\bSECURITY(?:\.md)?\s+(?:lines?\s+)?\d/, /\bSECURITY\.md\s+"/];
    const offenders: string[] = [];
    for (const path of [...citingFiles(), ...filesUnder('data'), 'package.json', 'docs/security.md']) {
      if (path === thisFile) continue;
      read(path)
        .split('\n')
        .forEach((text, index) => {
          if (outside.some((pattern) => pattern.test(text))) offenders.push(`${path}:${index + 1}: ${text.trim()}`);
        });
    }
    assert.deepEqual(offenders, [], 'cite docs/security.md SEC-<n> instead');
  });
});
