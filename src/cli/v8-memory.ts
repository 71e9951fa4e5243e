import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/**
 * How `gatehouse serve` runs V8, for its memory (issue 17, target 4: idle RSS and RSS after a
 * soak). V8 reads the flags below each time it decides, so they can change while running.
 */

/**
 * While the command starts. Start-up (loading ~1,100 modules) allocates in a burst, and V8 grows
 * its young generation to fit it: ~20 MB that an idle server then keeps resident and never needs,
 * so the young generation stays at its initial size. And V8's optimizing compilers (Maglev,
 * TurboFan) stay off: start-up code runs once, yet the module loader and the libraries' set-up get
 * hot enough to be optimized, on background threads whose code and working memory (~15 MB) the
 * idle server would keep. The interpreter and the baseline compiler run start-up instead.
 */
export function tuneV8ForStartUp(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--no-maglev');
  setFlagsFromString('--no-turbofan');
}

/** Once the command runs (serve: listening): the optimizing compilers are back, the young generation may grow up to `maxNewSpaceBytes`. */
export function tuneV8ForServing(maxNewSpaceBytes = defaultMaxNewSpaceBytes): () => void {
  setFlagsFromString('--maglev');
  setFlagsFromString('--turbofan');
  return capYoungGeneration(maxNewSpaceBytes);
}

/** 32 MB: the young generation Node had before V8 12 sized it from the machine's memory (up to 128 MB here). */
export const defaultMaxNewSpaceBytes = 32 * 1024 * 1024;

/**
 * Lets V8 grow the young generation (doubling, its default factor) while it stays within
 * `maxNewSpaceBytes`, checked after each garbage collection. Node 24 lets it reach 128 MB
 * on a machine with this much memory: under a steady load the server's RSS then swung between
 * ~170 and ~250 MB with ~40 MB of live heap. The young generation's size is fixed when the
 * process starts (`--max-semi-space-size`), but its growth factor is read at each step.
 */
export function capYoungGeneration(maxNewSpaceBytes: number): () => void {
  let growing: boolean | undefined;
  const check = (): void => {
    const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    if (newSpace === undefined) return;
    // GC entries arrive after the collection: in one long synchronous burst V8 may double once
    // more before this runs (at most twice the cap); between requests it runs after each one.
    const grow = newSpace.space_size * 2 <= maxNewSpaceBytes;
    if (grow === growing) return;
    growing = grow;
    setFlagsFromString(`--semi-space-growth-factor=${grow ? 2 : 1}`);
  };
  const observer = new PerformanceObserver(check);
  observer.observe({ entryTypes: ['gc'] });
  check();
  return () => observer.disconnect();
}
