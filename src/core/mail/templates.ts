import type { RequestContext } from '../deps.ts';
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
    // Never the code itself: subjects show on lock screens and in notification previews (docs/security.md SEC-112).
    subject: purpose === 'login' ? 'Your sign-in code' : 'Your confirmation code',
    blocks: [
      { text: `Your one-time code ${why}:` },
      { code },
      { text: `It works for ${formatMinutes(ttlMinutes)}, once. Never give it to anyone: ${branding.productName} will never ask you for it.` },
    ],
    footer: `If you didn't ask for a code, someone may know your address; your account is safe as long as you keep the code to yourself.`,
  });
}

/** Changes to how an account signs in, each announced to its owner (docs/security.md SEC-102). */
export type SecurityEventKind =
  | 'provider_linked'
  | 'provider_unlinked'
  | 'passkey_added'
  | 'passkey_removed'
  | 'two_factor_enabled'
  | 'two_factor_disabled'
  | 'recovery_codes_regenerated'
  | 'password_changed'
  | 'password_reset'
  | 'email_change_requested'
  | 'email_changed';

export interface SecurityNotice {
  kind: SecurityEventKind;
  atMs: number;
  /** The device and IP the change came from. */
  context: RequestContext;
  /** The provider's display name, for provider_linked and provider_unlinked. */
  provider?: string;
  /** The passkey's name, for passkey_added and passkey_removed. */
  passkey?: string;
  /** The new address, for email_changed. */
  newEmail?: string;
}

const noticeSubjects: Record<SecurityEventKind, string> = {
  provider_linked: 'A login provider was linked to your account',
  provider_unlinked: 'A login provider was unlinked from your account',
  passkey_added: 'A passkey was added to your account',
  passkey_removed: 'A passkey was removed from your account',
  two_factor_enabled: 'Two-factor authentication was turned on',
  two_factor_disabled: 'Two-factor authentication was turned off',
  recovery_codes_regenerated: 'New recovery codes were made',
  password_changed: 'Your password was changed',
  password_reset: 'Your password was reset',
  email_change_requested: 'A change of your email address was asked for',
  email_changed: 'Your email address was changed',
};

function noticeWhat(productName: string, notice: SecurityNotice): string {
  const provider = notice.provider ?? 'a provider';
  switch (notice.kind) {
    case 'provider_linked':
      return `${provider} was linked to your ${productName} account: logging in there now logs in to this account.`;
    case 'provider_unlinked':
      return `${provider} was unlinked from your ${productName} account: it no longer logs in to it.`;
    case 'passkey_added':
      return `A passkey${notice.passkey === undefined ? '' : ` named "${notice.passkey}"`} was added to your ${productName} account: whoever holds it can log in without your password, also after a password change, until it is removed on your account page.`;
    case 'passkey_removed':
      return `A passkey${notice.passkey === undefined ? '' : ` named "${notice.passkey}"`} was removed from your ${productName} account: it no longer logs in to it.`;
    case 'two_factor_enabled':
      return `Two-factor authentication was turned on for your ${productName} account: logging in now needs a code from an authenticator app.`;
    case 'two_factor_disabled':
      return `Two-factor authentication was turned off for your ${productName} account: the password alone logs in again.`;
    case 'recovery_codes_regenerated':
      return `New recovery codes were made for your ${productName} account; the old ones no longer work.`;
    case 'password_changed':
      return `The password of your ${productName} account was changed, and every other device was signed out.`;
    case 'password_reset':
      return `The password of your ${productName} account was reset through an emailed link, and every device was signed out.`;
    case 'email_change_requested':
      return `Someone signed in to your ${productName} account asked to change its email address${notice.newEmail === undefined ? '' : ` to ${notice.newEmail}`}. Nothing changes unless the link mailed to that address is opened and confirmed; a password reset voids it.`;
    case 'email_changed':
      return `The email address of your ${productName} account was changed${notice.newEmail === undefined ? '' : ` to ${notice.newEmail}`}. Mail about the account now goes there.`;
  }
}

/** The requesting device as the mail shows it: control characters replaced, length capped (it is the client's own text). */
function describeDevice(context: RequestContext): string {
  const agent = context.userAgent.replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, 200);
  return `${agent === '' ? 'an unknown device' : `"${agent}"`} at IP address ${context.ip}`;
}

/** One mail for every security notice: what happened, when, from where, and what to do if it wasn't you. */
export function securityNoticeMail(branding: MailBranding, to: string, notice: SecurityNotice): MailMessage {
  const when = new Date(notice.atMs).toISOString().replace('T', ' ').slice(0, 19);
  return renderMail(branding, {
    kind: 'security_notice',
    to,
    subject: noticeSubjects[notice.kind],
    blocks: [
      { text: noticeWhat(branding.productName, notice) },
      { text: `When: ${when} UTC. From: ${describeDevice(notice.context)}.` },
      { text: "If this wasn't you, someone else can get into your account. Reset your password now (that signs out every device), then check your account's sessions, linked logins and two-factor settings:" },
      { link: publicLink(branding.publicUrl, '/forgot'), label: 'Reset my password' },
      { link: publicLink(branding.publicUrl, '/account'), label: 'Review my account' },
    ],
    footer: 'This notice is sent for every change to how you sign in; it never asks you for a password or a code.',
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
