#!/usr/bin/env node
// The `gatehouse` entry point (bin/gatehouse.js imports it). Node's compile cache is switched on
// before anything else is loaded, which halves start-up from the second run on.
import module from 'node:module';
import { setFlagsFromString } from 'node:v8';

module.enableCompileCache?.();
// Start-up (loading modules, compiling every route's schemas) allocates in a burst, and V8 grows
// its young generation to fit it: ~20 MB that an idle server then keeps resident and never needs.
// The young generation is kept at its initial size until the command is running (for `serve`:
// listening), then may grow again as the load asks. V8 reads this flag each time it would grow.
setFlagsFromString('--semi-space-growth-factor=1');
// Likewise V8's optimizing compilers (Maglev, TurboFan): start-up code runs once, yet loading
// ~1,100 modules makes parts of the module loader and the libraries' set-up hot enough to be
// optimized, on background threads whose compiled code and working memory (~15 MB) the idle
// server then keeps. The interpreter and the baseline compiler run start-up instead; both
// optimizing tiers are back on once the command is running, so request handling under load is
// optimized as before (V8 reads these flags at each tiering decision).
setFlagsFromString('--no-maglev');
setFlagsFromString('--no-turbofan');
const { runCli } = await import('./main.ts');
await runCli();
setFlagsFromString('--semi-space-growth-factor=2'); // V8's default
setFlagsFromString('--maglev');
setFlagsFromString('--turbofan');
