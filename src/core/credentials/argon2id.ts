import { argon2, timingSafeEqual } from 'node:crypto';
import { hashRaw, type Algorithm } from '@node-rs/argon2';
import type { Random } from '../ports.ts';

/** argon2id cost parameters. OWASP's Password Storage Cheat Sheet minimum is m=19 MiB, t=2, p=1. */
export interface Argon2idParams {
  memoryKiB: number;
  passes: number;
  parallelism: number;
}

export const owaspMinimumArgon2id: Argon2idParams = { memoryKiB: 19_456, passes: 2, parallelism: 1 };

export interface PasswordVerification {
  matches: boolean;
  /** The hash was made under other parameters than the current ones: store a new one. */
  needsRehash: boolean;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(storedHash: string, password: string): Promise<PasswordVerification>;
}

const saltBytes = 16;
const tagBytes = 32;
const argon2Version = 19;

interface ParsedHash {
  params: Argon2idParams;
  salt: Buffer;
  tag: Buffer;
}

/**
 * The raw argon2id function (RFC 9106): password, salt, parameters, tag length -> tag. Every
 * implementation gives the same bytes for the same inputs, so the PHC strings below do not
 * depend on which one made them (test/core/credentials/argon2id.test.ts checks both ways).
 */
export type Argon2idKdf = (password: string, salt: Uint8Array, params: Argon2idParams, tagLength: number) => Promise<Buffer>;

// `Algorithm` is a const enum in the package's types; 2 is its Argon2id member.
const argon2idAlgorithm = 2 as Algorithm;

/**
 * argon2id from @node-rs/argon2 (the Rust `argon2` crate, prebuilt for each platform, run on
 * the libuv thread pool): on this project's machines it verifies about 2.5 times as many
 * passwords per second per core as node:crypto's (`npm run bench` measures both, same run).
 */
export const nodeRsArgon2id: Argon2idKdf = (password, salt, params, tagLength) =>
  hashRaw(password, { algorithm: argon2idAlgorithm, salt, memoryCost: params.memoryKiB, timeCost: params.passes, parallelism: params.parallelism, outputLen: tagLength });

/** argon2id from node:crypto (OpenSSL, Node >= 24.7), kept as the reference the bench and tests compare with. */
export const nodeCryptoArgon2id: Argon2idKdf = (password, salt, params, tagLength) =>
  new Promise((resolve, reject) => {
    argon2(
      'argon2id',
      { message: password, nonce: salt, memory: params.memoryKiB, passes: params.passes, parallelism: params.parallelism, tagLength },
      (error, derived) => (error ? reject(error) : resolve(derived)),
    );
  });

// The PHC string format (github.com/P-H-C/phc-string-format) is how every argon2
// implementation stores a hash: `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<tag>`, base64 without padding.
function toPhc(params: Argon2idParams, salt: Uint8Array, tag: Uint8Array): string {
  const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64').replace(/=+$/, '');
  return `$argon2id$v=${argon2Version}$m=${params.memoryKiB},t=${params.passes},p=${params.parallelism}$${b64(salt)}$${b64(tag)}`;
}

const phcPattern = /^\$argon2id\$v=19\$m=(\d{1,8}),t=(\d{1,4}),p=(\d{1,3})\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{22,})$/;

// Bounds on parameters read back from storage: a corrupted or hostile row must not make
// verification throw (a 500) or allocate gigabytes.
const maxStoredMemoryKiB = 1024 * 1024; // 1 GiB, the configurable maximum
const maxStoredPasses = 100;
const maxStoredParallelism = 16;

function parsePhc(stored: string): ParsedHash | null {
  const match = phcPattern.exec(stored);
  if (match === null) return null;
  const [, m, t, p, salt, tag] = match as unknown as [string, string, string, string, string, string];
  const params = { memoryKiB: Number(m), passes: Number(t), parallelism: Number(p) };
  if (params.parallelism < 1 || params.parallelism > maxStoredParallelism) return null;
  if (params.passes < 1 || params.passes > maxStoredPasses) return null;
  if (params.memoryKiB < 8 * params.parallelism || params.memoryKiB > maxStoredMemoryKiB) return null;
  const parsed = { params, salt: Buffer.from(salt, 'base64'), tag: Buffer.from(tag, 'base64') };
  return parsed.salt.length >= 8 && parsed.tag.length >= 16 ? parsed : null;
}

function sameParams(a: Argon2idParams, b: Argon2idParams): boolean {
  return a.memoryKiB === b.memoryKiB && a.passes === b.passes && a.parallelism === b.parallelism;
}

/**
 * argon2id password hashes in PHC strings. `kdf` computes the tag (on the libuv thread pool, so
 * hashing never blocks the event loop); a hash made with one kdf verifies with any other.
 *
 * @example
 * const hasher = createArgon2idHasher(owaspMinimumArgon2id, systemRandom);
 * const stored = await hasher.hash('correct horse battery staple');
 * (await hasher.verify(stored, 'correct horse battery staple')).matches; // true
 */
export function createArgon2idHasher(params: Argon2idParams, random: Random, kdf: Argon2idKdf = nodeRsArgon2id): PasswordHasher {
  return {
    async hash(password) {
      const salt = random.bytes(saltBytes);
      const tag = await kdf(password, salt, params, tagBytes);
      return toPhc(params, salt, tag);
    },
    async verify(storedHash, password) {
      const parsed = parsePhc(storedHash);
      if (parsed === null) return { matches: false, needsRehash: true };
      const tag = await kdf(password, parsed.salt, parsed.params, parsed.tag.length);
      const matches = tag.length === parsed.tag.length && timingSafeEqual(tag, parsed.tag);
      return { matches, needsRehash: !sameParams(parsed.params, params) || parsed.tag.length !== tagBytes };
    },
  };
}
