import type { FastifyReply } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { AuthError } from '../../core/errors.ts';
import { startPasskeyLogin } from '../../core/passkeys/passkey-login.ts';
import { startPasskeyReauthentication } from '../../core/passkeys/passkey-reauthentication.ts';
import { startPasskeySecondFactor } from '../../core/passkeys/passkey-second-factor.ts';
import type { SessionWithUser } from '../../core/ports.ts';
import { html, type SafeHtml } from './html.ts';
import { offerPasskey, passkeyLoginForm, passkeyReauthForm, passkeySecondFactorForm } from './passkey-forms.ts';

/** The passkey button (and autofill) of /login, with a fresh ceremony for it. */
export async function passkeyLoginOffer(deps: CoreDeps, reply: FastifyReply, returnTo: string): Promise<SafeHtml> {
  const { ceremonyToken, options } = await startPasskeyLogin(deps);
  offerPasskey(reply, ceremonyToken);
  return passkeyLoginForm(options, returnTo);
}

/** "Use a passkey" on the second step, when the pending account has one; nothing otherwise. */
export async function passkeySecondFactorOffer(deps: CoreDeps, reply: FastifyReply, pendingToken: string, returnTo: string): Promise<SafeHtml> {
  try {
    const { ceremonyToken, options } = await startPasskeySecondFactor(deps, pendingToken);
    offerPasskey(reply, ceremonyToken);
    return passkeySecondFactorForm(options, returnTo);
  } catch (error) {
    // No passkey on the account, or the pending login is gone (the form's POST says so).
    if (error instanceof AuthError) return html``;
    throw error;
  }
}

/** "Confirm with a passkey" on /account/reauth, when the account has one; nothing otherwise. */
export async function passkeyReauthOffer(deps: CoreDeps, reply: FastifyReply, current: SessionWithUser, returnTo: string): Promise<SafeHtml> {
  try {
    const { ceremonyToken, options } = await startPasskeyReauthentication(deps, current);
    offerPasskey(reply, ceremonyToken);
    return passkeyReauthForm(options, returnTo);
  } catch (error) {
    if (error instanceof AuthError) return html``;
    throw error;
  }
}
