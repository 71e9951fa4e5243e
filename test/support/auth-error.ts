import assert from 'node:assert/strict';
import { AuthError, type ErrorCode } from '../../src/core/errors.ts';

/**
 * Awaits `promise`, asserts it rejects with an AuthError of `code`, and returns the error
 * so the test can look at `retryAfterSeconds` or `detail`.
 */
export async function rejectsWithAuthError(promise: Promise<unknown>, code: ErrorCode): Promise<AuthError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AuthError, `expected an AuthError, got ${String(error)}`);
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
    return error;
  }
  assert.fail(`expected AuthError ${code}, but the promise resolved`);
}

/** Synchronous twin of rejectsWithAuthError. */
export function throwsAuthError(work: () => unknown, code: ErrorCode): AuthError {
  try {
    work();
  } catch (error) {
    assert.ok(error instanceof AuthError, `expected an AuthError, got ${String(error)}`);
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
    return error;
  }
  assert.fail(`expected AuthError ${code}, but nothing was thrown`);
}
