import { it } from 'node:test';
import type { AuditEvent, Session, Store, User } from '../../../src/core/ports.ts';

/** Opens an empty store; the contract closes it at the end of each test. */
export type OpenStore = () => Promise<Store>;

/**
 * A fixed instant well past 2^32 ms, so an adapter that squeezes times into 32-bit
 * integers fails loudly instead of passing on small numbers.
 */
export const t0Ms = 1_767_225_600_000;
export const minuteMs = 60_000;
export const hourMs = 60 * minuteMs;

/**
 * Registers one test that runs on a store of its own: every test starts empty, so tests
 * never depend on each other's rows or on their order.
 */
export function storeTest(open: OpenStore): (title: string, body: (store: Store) => Promise<void>) => void {
  return (title, body) => {
    it(title, async () => {
      const store = await open();
      try {
        await body(store);
      } finally {
        await store.close();
      }
    });
  };
}

/** `name` becomes both the id and the local part of a normalized email. */
export function aUser(name: string, overrides: Partial<User> = {}): User {
  return {
    id: `user-${name}`,
    email: `${name}@example.com`,
    passwordHash: `$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$${name}`,
    createdAtMs: t0Ms,
    updatedAtMs: t0Ms,
    disabledAtMs: null,
    ...overrides,
  };
}

/**
 * A 32-byte stand-in for SHA-256(secret), distinct per seed. It starts with 0x00 and 0xff
 * so an adapter that stores bytes as text (and stops at NUL or mangles high bytes) fails.
 */
export function aSecretHash(seed: number): Uint8Array {
  const bytes = new Uint8Array(32);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (seed * 31 + i * 47) % 256;
  bytes[0] = 0x00;
  bytes[1] = 0xff;
  return bytes;
}

export function aSession(id: string, userId: string, overrides: Partial<Session> = {}): Session {
  const seed = [...id].reduce((sum, char) => (sum * 7 + char.charCodeAt(0)) % 65_521, 0);
  return {
    id,
    userId,
    secretHash: aSecretHash(seed),
    createdAtMs: t0Ms,
    lastSeenAtMs: t0Ms,
    expiresAtMs: t0Ms + 30 * 24 * hourMs,
    userAgent: 'Mozilla/5.0 (contract test)',
    ip: '203.0.113.7',
    authTimeMs: t0Ms,
    amr: ['mfa', 'otp', 'pwd'],
    ...overrides,
  };
}

export function anAuditEvent(id: string, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id,
    atMs: t0Ms,
    type: 'login.succeeded',
    userId: null,
    email: null,
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (contract test)',
    detail: null,
    actorId: null,
    ...overrides,
  };
}

/** Adapters promise no order for these lists, so tests compare them sorted. */
export function sortedById<T extends { id: string }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function sortedStrings(values: readonly string[]): string[] {
  return [...values].sort();
}

/**
 * What `read` (outside any transaction) answers when asked while a transaction that has made
 * `write` is still open; the transaction then rolls back. An adapter may answer at once or after
 * the transaction ends, but never with the rolled-back write.
 */
export async function readDuringRolledBackTransaction<T>(store: Store, write: (tx: Store) => Promise<unknown>, read: () => Promise<T>): Promise<T> {
  let opened!: () => void;
  let release!: () => void;
  const isOpen = new Promise<void>((resolve) => (opened = resolve));
  const mayEnd = new Promise<void>((resolve) => (release = resolve));
  const rolledBack = store.transaction(async (tx) => {
    await write(tx);
    opened();
    await mayEnd;
    throw new Error('rolled back');
  });
  await isOpen;
  const answer = read();
  release();
  await rolledBack.then(
    () => {
      throw new Error('the transaction committed');
    },
    (error: unknown) => {
      if (!(error instanceof Error) || error.message !== 'rolled back') throw error;
    },
  );
  return answer;
}
