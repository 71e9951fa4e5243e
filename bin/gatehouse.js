#!/usr/bin/env node
// Node >= 22.18 runs the TypeScript sources directly (type stripping). Node's compile cache is
// switched on here, before any TypeScript is loaded: from the second run on, the stripped and
// compiled modules come from the cache, so start-up skips the TypeScript stripper entirely
// (faster, and ~17 MB less memory for as long as the server runs).
import module from 'node:module';

module.enableCompileCache?.();
await import('../src/cli/gatehouse.ts');
