import type { Reauthentication } from '../core/accounts/reauthenticate.ts';

/**
 * The re-authentication a request sent along (JSON body or form fields `password`, `emailCode`,
 * `code`), or undefined when it sent none and the session's recent authentication must do.
 * An empty form field counts as not sent.
 */
export function reauthProof(body: unknown): Reauthentication | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const fields = body as Record<string, unknown>;
  const value = (name: string): string | undefined => (typeof fields[name] === 'string' && fields[name] !== '' ? (fields[name] as string) : undefined);
  const password = value('password');
  if (password !== undefined) return { password };
  const emailCode = value('emailCode');
  if (emailCode !== undefined) return { emailCode };
  const code = value('code');
  return code === undefined ? undefined : { code };
}

/**
 * A preValidation hook for routes whose JSON body is optional (the proof may be left out when the
 * session re-authenticated recently): no body validates as `{}`.
 */
export async function emptyBodyAsObject(request: { body: unknown }): Promise<void> {
  request.body ??= {};
}
