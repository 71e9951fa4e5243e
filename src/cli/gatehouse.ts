#!/usr/bin/env node
// The `gatehouse` entry point (bin/gatehouse.js imports it). Node's compile cache is switched on
// before anything else is loaded, which halves start-up from the second run on.
import module from 'node:module';
import { tuneV8ForServing, tuneV8ForStartUp } from './v8-memory.ts';

module.enableCompileCache?.();
// V8 set for a small resident start-up, then for serving (cli/v8-memory.ts).
tuneV8ForStartUp();
const { runCli } = await import('./main.ts');
await runCli();
tuneV8ForServing();
