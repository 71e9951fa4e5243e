import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

/** The shape @gatehouse/browser promises: a package entry with no dependency at all, documented. */

const dir = new URL('../../packages/browser/src/', import.meta.url);
const sources = readdirSync(dir, { encoding: 'utf8' })
  .filter((name) => name.endsWith('.ts'))
  .map((name) => ({ name, text: readFileSync(new URL(name, dir), 'utf8') }));

describe('@gatehouse/browser as a package', () => {
  it('the workspace package resolves to the compiled build, with the same exports as the source (npm run build)', async () => {
    const built = await import('@gatehouse/browser');
    const local = await import('../../packages/browser/src/index.ts');
    assert.deepEqual(Object.keys(built).sort(), ['GatehouseBrowserError', 'createBrowserAuth']);
    assert.deepEqual(Object.keys(local).sort(), Object.keys(built).sort());
    assert.match(import.meta.resolve('@gatehouse/browser'), /\/packages\/browser\/dist\/index\.js$/);
  });

  it('imports only its own files: nothing from npm, nothing from node:', () => {
    assert.ok(sources.length >= 3);
    for (const { name, text } of sources) {
      for (const match of text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/gms)) {
        assert.match(match[1]!, /^\.\/[a-z0-9-]+\.ts$/, `${name} imports ${match[1]}`);
      }
      assert.doesNotMatch(text, /\bimport\(|\brequire\(/, `${name}: no dynamic imports`);
    }
  });

  it('has TSDoc with an @example on every public export', () => {
    for (const { name, text } of sources) {
      if (name === 'index.ts') continue;
      for (const match of text.matchAll(/^export (?:async function|function|class|interface|type|const) (\w+)/gm)) {
        const before = text.slice(0, match.index);
        const doc = before.slice(before.lastIndexOf('/**'));
        assert.ok(doc.startsWith('/**') && /\*\/\s*$/.test(doc), `${name}: ${match[1]} has no TSDoc`);
        assert.ok(doc.includes('@example'), `${name}: ${match[1]} has no @example`);
      }
    }
  });
});
