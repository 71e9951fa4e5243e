import type { Store } from '../ports.ts';
import { overlayStore, repositoryNames, type RepositoryWrappers } from '../lazy-store.ts';
import { hashReference } from './hash-reference.ts';
import type { TraceRecorder, TraceValue } from './ports.ts';

/**
 * The store, with every repository call recorded as a `storage` step: which table, which
 * operation, the row's id and the fields written. Used only while the inspector is on; off, the
 * store is not wrapped at all.
 *
 * What is shown is an allowlist (docs/security.md SEC-255): ids, emails and other named public
 * fields, numbers and booleans (times, counters). A stored hash appears as `sha256:` and 8 hex
 * digits; every other string or byte field only by its name. Return values are summarised
 * (found, not found, a count), never shown.
 */

const shownFields = new Set([
  'id', 'userId', 'email', 'sid', 'jti', 'kid', 'familyId', 'sessionId', 'clientId', 'successorId', 'purpose', 'kind', 'reason', 'issuer', 'subject',
  'provider', 'providerId', 'type', 'name', 'alg', 'algorithm', 'audience', 'grantTypes', 'amr', 'ip', 'event', 'detail',
]);
const hexHash = /^[0-9a-f]{64}$/;
const publicString = /^[A-Za-z0-9_.:@+-]{1,64}$/;

function describeArgument(value: unknown): TraceValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Uint8Array) return value.length === 32 ? hashReference(value) : `${String(value.length)} bytes`;
  // A positional string is an id, an email or a key; a 64-hex-digit one is a hash.
  if (typeof value === 'string') return hexHash.test(value) ? `sha256:${value.slice(0, 8)}` : publicString.test(value) ? value : `${String(value.length)} characters`;
  if (Array.isArray(value)) return `${String(value.length)} items`;
  if (typeof value === 'object') return describeRecord(value as Record<string, unknown>);
  return typeof value;
}

function describeRecord(record: Record<string, unknown>): TraceValue {
  const out: Record<string, TraceValue> = {};
  for (const [key, field] of Object.entries(record)) {
    if (field instanceof Uint8Array) out[key] = /Hash$/.test(key) && field.length === 32 ? hashReference(field) : `${String(field.length)} bytes`;
    else if (key === 'passwordHash') out[key] = typeof field === 'string' ? `${field.split('$')[1] ?? 'a'} hash` : null;
    else if (typeof field === 'number' || typeof field === 'boolean' || field === null) out[key] = field;
    else if (shownFields.has(key) && typeof field === 'string') out[key] = field.slice(0, 254);
    else if (shownFields.has(key) && Array.isArray(field) && field.every((x) => typeof x === 'string')) out[key] = (field as string[]).slice(0, 20);
    else out[key] = '(set)';
  }
  return out;
}

function describeResult(result: unknown): TraceValue {
  if (result === null || result === undefined) return 'nothing';
  if (typeof result === 'boolean' || typeof result === 'number') return result;
  if (typeof result === 'string') return publicString.test(result) ? result : 'a value';
  if (Array.isArray(result)) return `${String(result.length)} rows`;
  return 'a row';
}

const writes = /^(create|insert|put|append|update|set|touch|record|mark|confirm|use|consume|replace|take|delete|retire|rename|reserve|refund|clear|compareAndSet)/;

function traced<T extends object>(table: string, repository: T, recorder: TraceRecorder): T {
  const wrappers = new Map<PropertyKey, unknown>();
  return new Proxy(repository, {
    get(target, property, receiver) {
      const member: unknown = Reflect.get(target, property, receiver);
      if (typeof member !== 'function' || typeof property !== 'string') return member;
      let wrapper = wrappers.get(property);
      if (wrapper === undefined) {
        wrapper = async (...args: unknown[]): Promise<unknown> => {
          const result: unknown = await Reflect.apply(member, target, args);
          const operation = writes.exec(property)?.[1] ?? 'read';
          recorder.step({
            kind: 'storage',
            title: `${table}.${property}`,
            outcome: 'info',
            detail: { table, operation: operation === 'read' ? 'read' : property, arguments: args.map(describeArgument), result: describeResult(result) },
          });
          return result;
        };
        wrappers.set(property, wrapper);
      }
      return wrapper;
    },
  });
}

/** A repository is a plain object of functions (every adapter builds them so); a database handle is not. */
function isRepository(member: unknown): member is object {
  if (member === null || typeof member !== 'object' || Object.getPrototypeOf(member) !== Object.prototype) return false;
  const values = Object.values(member);
  return values.length > 0 && values.every((value) => typeof value === 'function');
}

export function tracedStore(store: Store, recorder: TraceRecorder): Store {
  const tracing: RepositoryWrappers = Object.fromEntries(
    repositoryNames.map((name) => [name, (repository: object) => (isRepository(repository) ? traced(name, repository, recorder) : repository)]),
  );
  // A transaction's store is layered over the transaction's, tracing a repository when first used.
  const inTransaction = (tx: Store): Store => {
    const wrapped = overlayStore(tx, tracing, (work) => work(wrapped));
    return wrapped;
  };
  const wrapped: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(store)) {
    wrapped[key] = isRepository(member) ? traced(key, member, recorder) : member;
  }
  const result = Object.assign(Object.create(Object.getPrototypeOf(store) as object) as object, store, wrapped) as Store;
  result.transaction = (work) => store.transaction((tx) => work(inTransaction(tx)));
  result.ping = () => store.ping();
  result.close = () => store.close();
  if (store.describe !== undefined) result.describe = () => store.describe?.() ?? {};
  return result;
}
