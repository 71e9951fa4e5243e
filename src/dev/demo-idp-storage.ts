interface StoredArtifact {
  payload: Record<string, unknown>;
  expiresAtMs: number | null;
}

/**
 * oidc-provider's storage adapter interface over one Map per provider instance: the demo keeps
 * its sessions, grants and codes in memory on purpose (and says so in the README), and each
 * instance has its own, so tests that start several providers never share state.
 */
export function memoryAdapter(): (name: string) => Record<string, (...args: never[]) => Promise<unknown>> {
  const artifacts = new Map<string, StoredArtifact>();
  const live = (key: string): Record<string, unknown> | undefined => {
    const artifact = artifacts.get(key);
    if (artifact === undefined) return undefined;
    if (artifact.expiresAtMs !== null && artifact.expiresAtMs <= Date.now()) {
      artifacts.delete(key);
      return undefined;
    }
    return artifact.payload;
  };
  return (name) => {
    const key = (id: string): string => `${name}:${id}`;
    const findBy = async (field: string, value: string): Promise<Record<string, unknown> | undefined> => {
      for (const k of artifacts.keys()) if (k.startsWith(`${name}:`) && live(k)?.[field] === value) return live(k);
      return undefined;
    };
    return {
      async upsert(id: string, payload: Record<string, unknown>, expiresInSeconds?: number) {
        artifacts.set(key(id), { payload, expiresAtMs: typeof expiresInSeconds === 'number' ? Date.now() + expiresInSeconds * 1000 : null });
      },
      find: async (id: string) => live(key(id)),
      findByUid: (uid: string) => findBy('uid', uid),
      findByUserCode: (userCode: string) => findBy('userCode', userCode),
      async consume(id: string) {
        const payload = live(key(id));
        if (payload !== undefined) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id: string) {
        artifacts.delete(key(id));
      },
      async revokeByGrantId(grantId: string) {
        for (const [k, artifact] of artifacts) if (artifact.payload.grantId === grantId) artifacts.delete(k);
      },
    };
  };
}

