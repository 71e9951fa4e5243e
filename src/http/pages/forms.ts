import { AuthError } from '../../core/errors.ts';

/** Reads a string field from a urlencoded form body; anything else (absent, repeated) is ''. */
export function field(body: unknown, name: string): string {
  if (body === null || typeof body !== 'object') return '';
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}

/** Runs a form action; an AuthError becomes a message and status for re-rendering the form. */
export async function attempt<T>(action: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; status: number; message: string; code: string }> {
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    const wait = error.retryAfterSeconds === undefined ? '' : ` Try again in ${error.retryAfterSeconds} seconds.`;
    return { ok: false, status: error.status, message: `${error.message}${wait}`, code: error.code };
  }
}

/** Every value of a repeated form field (checkboxes): a string once, an array when repeated. */
export function fieldValues(body: unknown, name: string): string[] {
  const value = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
