/**
 * `repository` with every method not named in `reads` wrapped to call `clear` before it runs and
 * again once it is done (a reader that read the old row meanwhile must not keep it): for an
 * in-process cache over a repository (storage/session-cache.ts, core/webhooks/with-webhook-events.ts).
 * Any method added later clears too: an unknown write is assumed to matter.
 *
 * @example
 * const users = clearingOnWrites(store.users, new Set(['findById']), () => cache.clear());
 */
export function clearingOnWrites<T extends object>(repository: T, reads: ReadonlySet<string>, clear: () => void): T {
  const wrapped: Record<string, unknown> = { ...(repository as Record<string, unknown>) };
  for (const [name, member] of Object.entries(repository)) {
    if (typeof member !== 'function' || reads.has(name)) continue;
    wrapped[name] = async (...args: unknown[]) => {
      clear();
      try {
        return await (member as (...a: unknown[]) => Promise<unknown>).apply(repository, args);
      } finally {
        clear();
      }
    };
  }
  return wrapped as T;
}
