import type { EmailCodePurpose, MailMessage } from '../ports.ts';
import { publicLink, renderMail, type MailBranding } from './render-mail.ts';

/**
 * Every mail Gatehouse sends. Links are built from the configured public URL only
 * (docs/security.md SEC-7); tokens and codes appear in the mail and nowhere else.
 */

const ignore = "If you didn't ask for this, you can ignore this mail: nothing changes.";

export function verifyEmailMail(branding: MailBranding, to: string, token: string, ttlMinutes: number): MailMessage {
  return renderMail(branding, {
    kind: 'verify_email',
    to,
    subject: 'Confirm your email address',
    blocks: [
      { text: `Someone (hopefully you) created a ${branding.productName} account with this address. Confirm it's yours:` },
      { link: publicLink(branding.publicUrl, '/verify', { token }), label: 'Confirm my email address' },
      { text: `The link works for ${formatMinutes(ttlMinutes)}, once.` },
    ],
    footer: `If you didn't sign up, ignore this mail: the account stays unconfirmed.`,
  });
}

/** Sent instead of a new account when someone signs up with an address that already has one (docs/security.md SEC-47). */
export function signupExistingAccountMail(branding: MailBranding, to: string): MailMessage {
  return renderMail(branding, {
    kind: 'signup_existing_account',
    to,
    subject: 'You already have an account',
    blocks: [
      { text: `Someone tried to create a ${branding.productName} account with this address, but you already have one.` },
      { link: publicLink(branding.publicUrl, '/login'), label: 'Log in' },
      { text: 'Forgot your password? Choose a new one here:' },
      { link: publicLink(branding.publicUrl, '/forgot'), label: 'Reset my password' },
    ],
    footer: `${ignore} Nobody can sign up with your address while your account exists.`,
  });
}

export function passwordResetMail(branding: MailBranding, to: string, token: string, ttlMinutes: number): MailMessage {
  return renderMail(branding, {
    kind: 'password_reset',
    to,
    subject: 'Reset your password',
    blocks: [
      { text: `Someone (hopefully you) asked to reset the password of your ${branding.productName} account.` },
      { link: publicLink(branding.publicUrl, '/reset', { token }), label: 'Choose a new password' },
      { text: `The link works for ${formatMinutes(ttlMinutes)}, once. Setting a new password signs out every device.` },
    ],
    footer: ignore,
  });
}

/**
 * The answer to a reset request for an address with no account: the person asking learns
 * nothing on the page, and the owner of the address learns why a mail arrived.
 */
export function resetUnknownAccountMail(branding: MailBranding, to: string): MailMessage {
  return renderMail(branding, {
    kind: 'reset_unknown_account',
    to,
    subject: 'Password reset requested',
    blocks: [
      { text: `Someone asked to reset the password of a ${branding.productName} account for this address, but there is no account with it.` },
      { text: 'If you use another address for your account, ask again with that one:' },
      { link: publicLink(branding.publicUrl, '/forgot'), label: 'Reset my password' },
    ],
    footer: ignore,
  });
}

export function emailCodeMail(branding: MailBranding, to: string, code: string, purpose: EmailCodePurpose, ttlMinutes: number): MailMessage {
  const why = purpose === 'login' ? `to sign in to ${branding.productName}` : `to confirm a change to your ${branding.productName} account`;
  return renderMail(branding, {
    kind: 'email_code',
    to,
    subject: purpose === 'login' ? `Your sign-in code: ${code}` : `Your confirmation code: ${code}`,
    blocks: [
      { text: `Your one-time code ${why}:` },
      { code },
      { text: `It works for ${formatMinutes(ttlMinutes)}, once. Never give it to anyone: ${branding.productName} will never ask you for it.` },
    ],
    footer: `If you didn't ask for a code, someone may know your address; your account is safe as long as you keep the code to yourself.`,
  });
}

export function passwordChangedMail(branding: MailBranding, to: string, how: 'changed' | 'reset'): MailMessage {
  return renderMail(branding, {
    kind: 'password_changed',
    to,
    subject: 'Your password was changed',
    blocks: [
      { text: `The password of your ${branding.productName} account was ${how === 'reset' ? 'reset through an emailed link' : 'changed'}, and every device was signed out.` },
      { text: "If this wasn't you, reset your password now:" },
      { link: publicLink(branding.publicUrl, '/forgot'), label: 'Reset my password' },
    ],
    footer: 'This notice is sent for every password change.',
  });
}

export function twoFactorChangedMail(branding: MailBranding, to: string, change: 'enabled' | 'disabled' | 'recovery_codes_regenerated'): MailMessage {
  const what = {
    enabled: 'Two-factor authentication was turned on for your account.',
    disabled: 'Two-factor authentication was turned off for your account.',
    recovery_codes_regenerated: 'New recovery codes were made for your account; the old ones no longer work.',
  }[change];
  return renderMail(branding, {
    kind: 'two_factor_changed',
    to,
    subject: 'Your sign-in settings changed',
    blocks: [{ text: what }, { text: "If this wasn't you, reset your password now:" }, { link: publicLink(branding.publicUrl, '/forgot'), label: 'Reset my password' }],
    footer: 'This notice is sent for every change to how you sign in.',
  });
}

/** To the NEW address of a change: the link that confirms it (it changes nothing until opened and confirmed). */
export function emailChangeConfirmMail(branding: MailBranding, to: string, token: string, ttlMinutes: number): MailMessage {
  return renderMail(branding, {
    kind: 'email_change_confirm',
    to,
    subject: 'Confirm your new email address',
    blocks: [
      { text: `Someone (hopefully you) asked to use this address for their ${branding.productName} account. Confirm it's yours:` },
      { link: publicLink(branding.publicUrl, '/account/email/confirm', { token }), label: 'Confirm my new email address' },
      { text: `The link works for ${formatMinutes(ttlMinutes)}, once. Confirming signs out the account's other devices.` },
    ],
    footer: "If you didn't ask for this, ignore this mail: nothing changes.",
  });
}

/**
 * To the NEW address of a change when that address already has an account: its owner learns why
 * a mail arrived; the person asking saw the same page as for a free address (docs/security.md SEC-143).
 */
export function emailChangeTakenMail(branding: MailBranding, to: string): MailMessage {
  return renderMail(branding, {
    kind: 'email_change_taken',
    to,
    subject: 'Your address was offered for another account',
    blocks: [
      { text: `Someone asked to move their ${branding.productName} account to this address, but it already belongs to an account (yours). Nothing changed.` },
      { link: publicLink(branding.publicUrl, '/login'), label: 'Log in' },
    ],
    footer: `${ignore} An address belongs to one account at a time.`,
  });
}

/** To the OLD address: a change of address was asked for (`requested`), or is done (`changed`). */
export function emailChangeNoticeMail(branding: MailBranding, to: string, newEmail: string, stage: 'requested' | 'changed'): MailMessage {
  return renderMail(branding, {
    kind: 'email_change_notice',
    to,
    subject: stage === 'requested' ? 'A change of your email address was asked for' : 'Your email address was changed',
    blocks: [
      {
        text:
          stage === 'requested'
            ? `Someone signed in to your ${branding.productName} account asked to change its email address to ${newEmail}. Nothing changes unless the link mailed to that address is opened and confirmed.`
            : `The email address of your ${branding.productName} account is now ${newEmail}, and every other device was signed out. Mail about the account goes there from now on.`,
      },
      ...(stage === 'requested'
        ? [{ text: "If this wasn't you, reset your password now: that ends every session, and the change can no longer be confirmed from them." }, { link: publicLink(branding.publicUrl, '/forgot'), label: 'Reset my password' }]
        : [{ text: "If this wasn't you, contact the administrator of this service at once: someone else controls your account." }]),
    ],
    footer: 'This notice is sent for every change of address.',
  });
}

/** The link of a passkey-only sign-up: it proves the address, then the page creates the passkey. */
export function passkeySignupMail(branding: MailBranding, to: string, token: string, ttlMinutes: number): MailMessage {
  return renderMail(branding, {
    kind: 'passkey_signup',
    to,
    subject: 'Confirm your email address',
    blocks: [
      { text: `Someone (hopefully you) started creating a ${branding.productName} account with this address and a passkey. Confirm it's yours, then create the passkey:` },
      { link: publicLink(branding.publicUrl, '/signup/passkey/finish', { token }), label: 'Confirm and create my passkey' },
      { text: `The link works for ${formatMinutes(ttlMinutes)}.` },
    ],
    footer: "If you didn't sign up, ignore this mail: no account is made.",
  });
}

function formatMinutes(minutes: number): string {
  if (minutes % 60 === 0 && minutes >= 60) return minutes === 60 ? '1 hour' : `${minutes / 60} hours`;
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}
