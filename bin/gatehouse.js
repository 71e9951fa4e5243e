#!/usr/bin/env node
// Node >= 22.18 runs the TypeScript sources directly (type stripping). Node's compile cache is
// switched on here, before any TypeScript is loaded: from the second run on, the stripped and
// compiled modules come from the cache, so start-up skips the TypeScript stripper entirely
// (faster, and ~17 MB less memory for as long as the server runs).
import module from 'node:module';

// An older Node would fail on the first `.ts` import with ERR_UNKNOWN_FILE_EXTENSION, which says
// nothing about the fix: say it here instead.
if (!process.features.typescript) {
  process.stderr.write(
    `gatehouse: this Node.js (${process.version}) cannot run TypeScript sources; Gatehouse needs Node.js 22.18 or newer (type stripping on).\n` +
      'In a checkout, `npm start` and `npm run gatehouse -- <command>` use the Node 24 that `npm ci` installs (node_modules/.bin/node).\n',
  );
  process.exit(1);
}

module.enableCompileCache?.();
await import('../src/cli/gatehouse.ts');
