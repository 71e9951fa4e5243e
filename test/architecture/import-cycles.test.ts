import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { localImports, typeScriptFiles } from '../support/source-files.ts';

/**
 * No import cycle anywhere in src/ (or the packages), not even a type-only one: dependencies
 * point one way (docs/architecture.md). A cycle is reported as the files around it.
 */

const sources = [...typeScriptFiles('src'), ...typeScriptFiles('packages/sdk/src'), ...typeScriptFiles('packages/browser/src')];

/** The strongly connected components with more than one file (or a file importing itself): Tarjan's algorithm. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, next);
    low.set(file, next);
    next++;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || (graph.get(file) ?? []).includes(file)) found.push(component.sort());
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

describe('imports', () => {
  const graph = new Map(sources.map((file) => [file, localImports(file)]));

  it('every relative import names a file that exists', () => {
    for (const [file, imports] of graph) {
      for (const target of imports) assert.ok(graph.has(target) || !target.endsWith('.ts'), `${file} imports ${target}, which is not a source file`);
    }
  });

  it('form no cycle in src/ or the packages, type-only imports included', () => {
    assert.deepEqual(cycles(graph), [], 'import cycles (each list is one cycle); move the shared type or function down to a file both can import');
  });

  it('the check finds a cycle when there is one (including a type-only one)', () => {
    const planted = new Map([...graph, ['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']]]);
    assert.deepEqual(cycles(planted).filter((cycle) => cycle.includes('a.ts')), [['a.ts', 'b.ts', 'c.ts']]);
    const text = "import type { X } from './y.ts';\nexport type { Z } from './z.ts';\nconst lazy = () => import('./w.ts');";
    assert.deepEqual(
      ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName),
      ['./y.ts', './z.ts', './w.ts'],
    );
  });
});
