import { sql } from 'kysely';
import type { AuditSearch, SessionCensus, ThrottleCensus, UserDirectory } from '../../../core/ports.ts';
import { toAudit, toUser, type Db } from '../rows.ts';

// LIKE treats % and _ as wildcards: a prefix is matched literally, with \ as the escape.
const likePrefix = (prefix: string): string => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function sqlUserDirectory(db: Db): UserDirectory {
  return {
    async search({ emailPrefix, afterEmail, limit }) {
      let query = db.selectFrom('users').select(['id', 'email', 'password_hash', 'created_at_ms', 'updated_at_ms', 'disabled_at_ms']).orderBy('email').limit(limit);
      if (emailPrefix !== '') query = query.where(sql<boolean>`email like ${likePrefix(emailPrefix)} escape '\\'`);
      if (afterEmail !== undefined) query = query.where('email', '>', afterEmail);
      return (await query.execute()).map(toUser);
    },
    async count() {
      const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

export function sqlSessionCensus(db: Db): SessionCensus {
  return {
    async countActive(nowMs, idleTimeoutMs) {
      const row = await db
        .selectFrom('sessions')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('expires_at_ms', '>', nowMs)
        .where('last_seen_at_ms', '>', nowMs - idleTimeoutMs)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

export function sqlAuditSearch(db: Db): AuditSearch {
  return {
    async page(filter, { after, limit }) {
      let query = db.selectFrom('audit').selectAll().orderBy('at_ms', 'desc').orderBy('id').limit(limit);
      if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
      if (filter.type !== undefined) query = query.where('type', '=', filter.type);
      if (filter.ip !== undefined) query = query.where('ip', '=', filter.ip);
      if (filter.fromMs !== undefined) query = query.where('at_ms', '>=', filter.fromMs);
      if (filter.toMs !== undefined) query = query.where('at_ms', '<', filter.toMs);
      if (after !== undefined) {
        const { atMs, id } = after;
        query = query.where((eb) => eb.or([eb('at_ms', '<', atMs), eb.and([eb('at_ms', '=', atMs), eb('id', '>', id)])]));
      }
      return (await query.execute()).map(toAudit);
    },
    async countByType(types, sinceMs) {
      const counts: Record<string, number> = Object.fromEntries(types.map((t) => [t, 0]));
      if (types.length === 0) return counts;
      const rows = await db
        .selectFrom('audit')
        .select(['type', (eb) => eb.fn.countAll<string | number>().as('n')])
        .where('type', 'in', [...types])
        .where('at_ms', '>=', sinceMs)
        .groupBy('type')
        .execute();
      for (const row of rows) counts[row.type] = Number(row.n);
      return counts;
    },
  };
}

export function sqlThrottleCensus(db: Db): ThrottleCensus {
  return {
    async counters({ keyPrefix, minFailures, sinceMs, limit }) {
      const rows = await db
        .selectFrom('throttle')
        .select(['failures', 'last_failure_at_ms'])
        .where(sql<boolean>`${sql.ref('key')} like ${likePrefix(keyPrefix)} escape '\\'`)
        .where('failures', '>=', minFailures)
        .where('last_failure_at_ms', '>=', sinceMs)
        .limit(limit)
        .execute();
      return rows.map((r) => ({ failures: Number(r.failures), lastFailureAtMs: Number(r.last_failure_at_ms) }));
    },
  };
}
