import type { Store } from './ports.ts';

/** A store's repositories by name: everything but its transaction and lifecycle. */
export type RepositoryName = Exclude<keyof Store, 'transaction' | 'ping' | 'close' | 'describe' | 'sessionFromMemory' | 'localTransactions'>;

/** The repositories of a Store, without its transaction and lifecycle. */
export type Repositories = Pick<Store, RepositoryName>;

/** What a store is besides its repositories. */
export type StoreMembers = Pick<Store, 'transaction' | 'ping' | 'close' | 'describe'>;

// Every repository name once: a repository added to Store and missing here is a type error.
const names = {
  users: true,
  profiles: true,
  sessions: true,
  throttle: true,
  audit: true,
  signingKeys: true,
  clients: true,
  refreshTokens: true,
  revocations: true,
  oauthIdentities: true,
  oauthFlows: true,
  oneTimeTokens: true,
  emailVerifications: true,
  emailCodes: true,
  totp: true,
  recoveryCodes: true,
  passkeys: true,
  usedPasskeyChallenges: true,
  deliveries: true,
  operators: true,
  consoleActivity: true,
  replayRecords: true,
  pushedAuthorizationRequests: true,
  pendingAuthorizations: true,
  authorizationCodes: true,
  consents: true,
  sessionClients: true,
  userDirectory: true,
  sessionCensus: true,
  auditSearch: true,
  webhookEndpoints: true,
  throttleCensus: true,
  clientMaintenance: true,
} satisfies Record<RepositoryName, true>;

/** Every repository name of a Store. */
export const repositoryNames: readonly RepositoryName[] = Object.keys(names) as RepositoryName[];

/** Builds one repository of a lazy store, or finds it on the store below: called at most once per name and store. */
export type RepositorySource = <K extends RepositoryName>(name: K) => Store[K];

/**
 * A store whose repositories are built on first use, each once. One class for every lazy store,
 * so every instance has the same shape and the property reads on it stay monomorphic; the
 * repositories are getters on the shared prototype (enumerable, so `for...in` lists them), and
 * the instance holds only private fields. A spread (`{ ...store }`) therefore copies nothing:
 * lazy stores are layered, never spread (see `overlayStore`).
 */
class LazyStore {
  readonly #members: StoreMembers;
  readonly #source: RepositorySource;
  readonly #built: Partial<Record<RepositoryName, unknown>> = {};

  constructor(members: StoreMembers, source: RepositorySource) {
    this.#members = members;
    this.#source = source;
  }

  static {
    for (const name of repositoryNames) {
      Object.defineProperty(this.prototype, name, {
        enumerable: true,
        get(this: LazyStore): unknown {
          return (this.#built[name] ??= this.#source(name));
        },
      });
    }
  }

  get transaction(): Store['transaction'] {
    return this.#members.transaction;
  }

  get ping(): Store['ping'] {
    return this.#members.ping;
  }

  get close(): Store['close'] {
    return this.#members.close;
  }

  get describe(): Store['describe'] {
    return this.#members.describe;
  }
}

/**
 * A store whose repositories are built on first use, by `source`, each once: for the store of
 * one transaction, which builds only the few repositories its work touches (a passkey login
 * touches 3 of 33).
 *
 * @example
 * const tx = lazyStore({ transaction: (work) => work(tx), ping, close, describe: undefined }, (name) => factories[name](trx));
 */
export function lazyStore(members: StoreMembers, source: RepositorySource): Store {
  return new LazyStore(members, source) as unknown as Store;
}

/** Replacements for some repositories of the store below, each given the one it replaces. */
export type RepositoryWrappers = { [K in RepositoryName]?: (below: Store[K]) => Store[K] };

/**
 * `below` with some repositories wrapped and its own transaction: the store a wrapper (session
 * cache, webhooks, Redis, metrics, tracing) puts over one transaction's store. Nothing is copied:
 * a wrapped repository is built on first use, and every other one is read from `below` when
 * first asked for, so a transaction pays only for the repositories it uses.
 *
 * @example
 * const tx = overlayStore(inner, { audit: (audit) => ({ ...audit, append: counted(audit.append) }) }, (work) => work(tx));
 */
export function overlayStore(below: Store, wrappers: RepositoryWrappers, transaction: Store['transaction']): Store {
  return lazyStore({ transaction, ping: below.ping, close: below.close, describe: below.describe }, (name) => {
    const wrap = wrappers[name];
    return wrap === undefined ? below[name] : wrap(below[name]);
  });
}

/**
 * The wrapped repositories of `store`, built now: for the store a wrapper puts over the store
 * opened at start-up (built once, and spread like any plain object).
 *
 * @example
 * const served: Store = { ...store, ...wrapRepositories(store, wrappers), transaction };
 */
export function wrapRepositories(store: Store, wrappers: RepositoryWrappers): Partial<Repositories> {
  const wrapped: Partial<Record<RepositoryName, unknown>> = {};
  for (const name of Object.keys(wrappers) as RepositoryName[]) {
    const wrap = wrappers[name] as ((below: unknown) => unknown) | undefined;
    if (wrap !== undefined) wrapped[name] = wrap(store[name]);
  }
  return wrapped as Partial<Repositories>;
}
