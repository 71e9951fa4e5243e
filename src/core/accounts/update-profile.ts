import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import type { User, UserProfile } from '../ports.ts';
import { localeTag, pictureUrl, profileName, type ProfileChange } from './profile-input.ts';

/** The user's profile; one never saved is all nulls, as of the account's last change. */
export async function findProfile(deps: Pick<CoreDeps, 'store'>, user: User): Promise<UserProfile> {
  return (await deps.store.profiles.find(user.id)) ?? emptyProfile(user);
}

function emptyProfile(user: User): UserProfile {
  return { userId: user.id, name: null, givenName: null, familyName: null, picture: null, locale: null, updatedAtMs: user.updatedAtMs };
}

/**
 * Applies `change` to the user's profile (for /account and PATCH /v1/me): every field is
 * checked before anything is written, so a bad field changes nothing. Not a sensitive change
 * (it proves nothing about the account), so it needs no re-authentication.
 */
export async function updateProfile(deps: CoreDeps, user: User, change: ProfileChange, context: RequestContext): Promise<UserProfile> {
  const checked: ProfileChange = {
    ...(change.name === undefined ? {} : { name: profileName('The name', change.name) }),
    ...(change.givenName === undefined ? {} : { givenName: profileName('The given name', change.givenName) }),
    ...(change.familyName === undefined ? {} : { familyName: profileName('The family name', change.familyName) }),
    ...(change.picture === undefined ? {} : { picture: pictureUrl(change.picture) }),
    ...(change.locale === undefined ? {} : { locale: localeTag(change.locale) }),
  };
  return deps.store.transaction(async (tx) => {
    const current = (await tx.profiles.find(user.id)) ?? emptyProfile(user);
    const updated: UserProfile = { ...current, ...checked, userId: user.id, updatedAtMs: deps.clock.nowMs() };
    await tx.profiles.put(updated);
    const fields = Object.keys(checked).sort().join(' ');
    await tx.audit.append(auditEvent(deps, 'profile.updated', context, { userId: user.id, email: user.email, detail: fields === '' ? null : fields }));
    return updated;
  });
}
