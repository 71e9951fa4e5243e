import { constants, PerformanceObserver, type PerformanceObserverEntryList } from 'node:perf_hooks';
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

/** Once the command runs (serve: listening): the optimizing compilers are back, the young generation may grow up to `maxNewSpaceBytes` when scavenges come often. */
export function tuneV8ForServing(maxNewSpaceBytes = defaultMaxNewSpaceBytes): () => void {
  setFlagsFromString('--maglev');
  setFlagsFromString('--turbofan');
  return capYoungGeneration(maxNewSpaceBytes);
}

/** 32 MB: the young generation Node had before V8 12 sized it from the machine's memory (up to 128 MB here). */
export const defaultMaxNewSpaceBytes = 32 * 1024 * 1024;

/**
 * Below this average time between two young-generation collections (scavenges), V8 may grow the
 * young generation; at a slower pace it stays as it is. A scavenge costs roughly the same whatever
 * the young generation's size (it copies what survives, ~0.1 to 1 ms here), so a larger one only
 * saves CPU when scavenges come often: under a bench's 30k requests per second they come every few
 * milliseconds and the young generation grows to the cap. At a few hundred requests per second
 * (`npm run soak`: ~23 kB allocated per request, ~45 requests per scavenge of a 1 MB young
 * generation) they come every ~130 to 220 ms, under 1% of a core, and the MBs a grown young
 * generation keeps resident are not worth saving that. The pace was 100 ms over 5 scavenges: on a
 * quiet machine the soak's 327 requests per second came within a third of it, its bursts crossed it,
 * and the young generation ended at 7.5 MB. At this pace scavenges take at most ~2% of a core
 * before the young generation grows.
 */
export const defaultGrowBelowScavengeIntervalMs = 50;

/**
 * While scavenges come slower than that pace: the old generation may grow by this much above what
 * the last full collection kept, before the next one (V8's own factor ranges from 1.1x to 4x).
 */
export const quietOldGenerationGrowingPercent = 25;

/** How many of the latest scavenges the pace is taken over: a sustained pace, not a burst (nor a quick pair at start-up), decides. */
const scavengesAveraged = 10;

/**
 * Lets V8 grow the young generation (doubling, its default factor) while scavenges come more
 * often than every `growBelowScavengeIntervalMs` on average, and while it stays within
 * `maxNewSpaceBytes`; checked after each garbage collection. Node 24 lets it reach 128 MB
 * on a machine with this much memory: under a steady load the server's RSS then swung between
 * ~170 and ~250 MB with ~40 MB of live heap. The young generation's size is fixed when the
 * process starts (`--max-semi-space-size`), but its growth factor is read at each step. V8 shrinks
 * it again itself once the allocation rate falls.
 *
 * At the slower pace the old generation is held too. V8 lets it grow to between 1.1x and 4x what
 * the last full collection kept before it collects again (at `npm run soak` rates: 45 to 51 MB
 * committed for ~31 MB live); there the factor is pinned to `quietOldGenerationGrowingPercent`
 * (42 MB). That is a full collection every few more MB promoted, and at a few hundred requests per
 * second little is promoted and the marking runs concurrently (~0.3 s of main-thread time in a
 * 3-minute soak). At the faster pace, V8 picks the factor itself again.
 */
export function capYoungGeneration(maxNewSpaceBytes: number, growBelowScavengeIntervalMs = defaultGrowBelowScavengeIntervalMs, setFlags: (flags: string) => void = setFlagsFromString): () => void {
  let growing: boolean | undefined;
  let wasBusy: boolean | undefined;
  // When the latest scavenges began.
  const recent: number[] = [];
  const check = (list?: PerformanceObserverEntryList): void => {
    for (const entry of list?.getEntries() ?? []) {
      if ((entry as { detail?: unknown } as { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MINOR) continue;
      recent.push(entry.startTime);
      if (recent.length > scavengesAveraged) recent.shift();
    }
    const averageIntervalMs = recent.length < scavengesAveraged ? Number.POSITIVE_INFINITY : ((recent.at(-1) as number) - (recent[0] as number)) / (scavengesAveraged - 1);
    const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    if (newSpace === undefined) return;
    // GC entries arrive after the collection: in one long synchronous burst V8 may double once
    // more before this runs (at most twice the cap); between requests it runs after each one.
    const busy = averageIntervalMs < growBelowScavengeIntervalMs;
    const grow = busy && newSpace.space_size * 2 <= maxNewSpaceBytes;
    if (grow !== growing) setFlags(`--semi-space-growth-factor=${grow ? 2 : 1}`);
    // 0: V8's own factor (from its measured GC and mutator speeds).
    if (busy !== wasBusy) setFlags(`--heap-growing-percent=${busy ? 0 : quietOldGenerationGrowingPercent}`);
    growing = grow;
    wasBusy = busy;
  };
  const observer = new PerformanceObserver(check);
  observer.observe({ entryTypes: ['gc'] });
  check();
  return () => observer.disconnect();
}
