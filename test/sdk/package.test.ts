import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

/** The shape the SDK promises: a stand-alone package entry, jose-only, documented. */

const sdkDir = new URL('../../packages/sdk/src/', import.meta.url);
const sources = readdirSync(sdkDir, { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.ts'))
  .map((name) => ({ name, text: readFileSync(new URL(name, sdkDir), 'utf8') }));

/** Files that import nothing at all (for every other file, finding no import means the check above is broken). */
const importFree = new Set(['errors.ts', 'algorithms.ts', 'revocation/event-stream.ts', 'revocation/revocation-feed-error.ts', 'secure-url.ts', 'dpop/dpop-replay-cache.ts']);

describe('@gatehouse/sdk as a package', () => {
  it('the workspace package resolves to the compiled build, with the same exports as the source (npm run build)', async () => {
    const built = await import('@gatehouse/sdk');
    const local = await import('../../packages/sdk/src/index.ts');
    assert.deepEqual(Object.keys(built).sort(), Object.keys(local).sort());
    assert.notEqual(built.createVerifier, local.createVerifier, 'the dist build, not the .ts source');
    assert.match(import.meta.resolve('@gatehouse/sdk'), /\/packages\/sdk\/dist\/index\.js$/);
  });

  it('imports nothing but jose, node: built-ins and its own files', () => {
    for (const { name, text } of sources) {
      const specifiers = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/gms)].map((match) => match[1]!);
      assert.ok(specifiers.length > 0 || importFree.has(name), `${name}: no import found; if it has none, list it in importFree`);
      for (const specifier of specifiers) {
        // Own files: relative, kebab-case .ts, and still inside packages/sdk/src/ once resolved.
        const ownFile = /^\.\.?\/(?:[a-z0-9-]+\/)*[a-z0-9-]+\.ts$/.test(specifier) && new URL(specifier, new URL(name, sdkDir)).href.startsWith(sdkDir.href);
        const allowed = specifier === 'jose' || specifier.startsWith('node:') || ownFile;
        assert.ok(allowed, `${name} imports ${specifier}`);
      }
      assert.doesNotMatch(text, /\bimport\(|\brequire\(/, `${name}: no dynamic imports`);
    }
  });

  it('has TSDoc with an @example on every public export', () => {
    for (const { name, text } of sources) {
      if (name === 'index.ts') continue;
      for (const match of text.matchAll(/^export (?:async function|function|class|interface|type|const) (\w+)/gm)) {
        const before = text.slice(0, match.index);
        const docStart = before.lastIndexOf('/**');
        const doc = before.slice(docStart);
        assert.ok(docStart !== -1 && /\*\/\s*$/.test(doc), `${name}: ${match[1]} has no TSDoc`);
        if (doc.includes('@internal')) continue;
        assert.ok(doc.includes('@example'), `${name}: ${match[1]} has no @example`);
      }
    }
  });

  it('exports from index.ts only what is public (no @internal helper leaks)', async () => {
    const sdk = await import('../../packages/sdk/src/index.ts');
    assert.deepEqual(Object.keys(sdk).sort(), [
      'GatehouseTokenError',
      'RevocationFeedError',
      'bearerRefusal',
      'createVerifier',
      'defaultAlgorithms',
      'dpopProofAlgorithms',
      'expressGatehouse',
      'extractBearerToken',
      'fastifyGatehouse',
      'honoGatehouse',
      'tokenErrorCatalog',
      'verifiableAlgorithms',
      'verifyJws',
      'withGatehouse',
    ]);
  });
});
