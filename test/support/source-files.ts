import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root, for tests about the source tree as a whole. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every `.ts` file under `dir` (relative to the repository root), as repository-relative paths. */
export function typeScriptFiles(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.split(/[\\/]/).includes('node_modules') && !name.split(/[\\/]/).includes('dist'))
    .map((name) => join(dir, name).split('\\').join('/'))
    .sort();
}

/**
 * The files `file` imports from the tree: static and dynamic imports and re-exports, type-only
 * ones included (`import type` too: a cycle of types is still a cycle for a reader), resolved
 * to repository-relative paths. Parsed with the TypeScript compiler, not a regex.
 */
export function localImports(file: string): string[] {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((specifier) => specifier.startsWith('./') || specifier.startsWith('../'))
    .map((specifier) => relative(repoRoot, resolve(repoRoot, dirname(file), specifier)).split('\\').join('/'));
}
