/** The port through which the domain sends mail. */

/** What a mail is for: shown in logs and the dev outbox instead of its content. */
export type MailKind =
  | 'verify_email'
  | 'password_reset'
  | 'signup_existing_account'
  | 'reset_unknown_account'
  | 'email_code'
  | 'email_change_confirm'
  | 'email_change_taken'
  | 'security_notice'
  | 'passkey_signup';

/** One rendered mail. Its text carries links and codes: it is never logged. */
export interface MailMessage {
  kind: MailKind;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * Hands a mail over for delivery without waiting for it: no HTTP answer depends on whether,
 * or how fast, a mail goes out, so the answer cannot tell whether an account exists.
 */
export interface MailOutbox {
  enqueue(message: MailMessage): void;
}
