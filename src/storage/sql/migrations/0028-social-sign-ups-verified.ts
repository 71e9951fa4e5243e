import { sql, type Kysely } from 'kysely';

/**
 * Accounts made by a social login count as verified. Such an account is made only when the
 * provider asserts its address verified, and since SEC-228 a passkey login, like a password login,
 * is refused under `requireVerifiedEmail` until the address is verified; new ones are marked so
 * when they are made (core/oauth-client/sign-in-with-identity.ts). Those made before were not, so
 * the passkeys their owners added would stop logging them in. They are marked here: an account
 * with no password whose login provider was linked, with the account's own address, within a
 * second of its creation (the sign-up makes both in one transaction; a provider linked later, or
 * to another address, is not taken as proof). Marked at the account's creation time. A missing
 * password is stored as ''.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    insert into email_verifications (user_id, email, verified_at_ms)
    select u.id, u.email, u.created_at_ms from users u
    where coalesce(u.password_hash, '') = ''
      and not exists (select 1 from email_verifications v where v.user_id = u.id)
      and exists (
        select 1 from oauth_identities i
        where i.user_id = u.id and i.email = u.email
          and i.created_at_ms >= u.created_at_ms and i.created_at_ms <= u.created_at_ms + 1000
      )`.execute(db);
}

/** Nothing to undo: a verified address stays verified (the marks cannot be told from later ones). */
export async function down(): Promise<void> {}
