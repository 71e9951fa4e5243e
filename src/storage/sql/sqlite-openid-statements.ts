import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { Kysely, Selectable } from 'kysely';
import type { Store } from '../../core/ports.ts';
import { authorizationCodeQueries, codeColumns, codeRecordFromValues, toCodeRow, type ConsumeValues } from './repositories/authorization-codes.ts';
import { consentQueries, toConsent } from './repositories/consents.ts';
import { sessionClientQueries, toSessionClientRow } from './repositories/session-clients.ts';
import type { ConsentsTable, Database, SessionClientsTable } from './schema.ts';
import type { SqlFastPaths } from './sql-store.ts';
import { placeholder, prepared } from './sqlite-statements.ts';

const consumeColumns = ['used_at_ms', 'refresh_family_id', 'access_token_jti', 'access_token_expires_at_ms'] as const satisfies readonly (keyof ConsumeValues)[];
const sessionClientColumns = ['session_id', 'client_id', 'user_id', 'first_issued_at_ms', 'last_issued_at_ms', 'expires_at_ms'] as const satisfies readonly (keyof SessionClientsTable)[];

/** A row of placeholders, one per column: the query compiles once, values go in by name. */
const placeholders = <C extends string>(columns: readonly C[]): Record<C, never> => Object.fromEntries(columns.map((column) => [column, placeholder(column)])) as Record<C, never>;

/**
 * SQLite's fast paths for the OpenID Provider's code flow (sqlite-statements.ts): an
 * authorization with single sign-on and the code exchange run the repositories' own queries as
 * statements prepared once, instead of building each with kysely on every request.
 *
 * - Outside transactions, on the read-only connection: the code lookup of the token endpoint and
 *   the consent lookup of the authorization endpoint (committed rows only; a code is answered to
 *   the browser only after its COMMIT, so the exchange always finds it).
 * - A code issued outside a transaction joins the group commit (`grouped`, the store's own
 *   transaction): one COMMIT for the codes of concurrent authorizations, as for other writes.
 * - Inside transactions, on the writer: the code's insert, lookup and consumption, and the
 *   `session_clients` record of the exchange.
 *
 * @example
 * const fast = sqliteOpenIdFastPaths(db, reader, writer, (work) => store.transaction(work));
 */
export function sqliteOpenIdFastPaths(db: Kysely<Database>, reader: DatabaseSync, writer: DatabaseSync, grouped: <T>(work: (tx: Store) => Promise<T>) => Promise<T>): SqlFastPaths {
  const findCodeOn = (connection: DatabaseSync): Store['authorizationCodes']['findByHash'] => {
    // The row as an array, like the session lookups (sqlite.ts): node:sqlite builds no object of 20 named properties.
    const statement = prepared(connection, authorizationCodeQueries.findByHash(db, placeholder('code_hash') as unknown as Uint8Array).compile(), ['code_hash'], 'arrays');
    return async (codeHash) => {
      const values = statement.get({ code_hash: codeHash }) as unknown[] | undefined;
      return values === undefined ? null : codeRecordFromValues(values);
    };
  };
  const insertCode = prepared(writer, authorizationCodeQueries.insert(db, placeholders(codeColumns)).compile(), codeColumns);
  const consumeCode = prepared(writer, authorizationCodeQueries.consume(db, placeholder('code_hash') as unknown as Uint8Array, placeholders(consumeColumns)).compile(), ['code_hash', ...consumeColumns]);
  const recordSessionClient = prepared(writer, sessionClientQueries.record(db, placeholders(sessionClientColumns)).compile(), sessionClientColumns);
  const findConsent = prepared(reader, consentQueries.find(db, placeholder('user_id'), placeholder('client_id')).compile(), ['user_id', 'client_id']);
  const inTransactionInsert: Store['authorizationCodes']['insert'] = async (code) => {
    insertCode.run(toCodeRow(code) as unknown as Record<(typeof codeColumns)[number], SQLInputValue>);
  };
  return {
    outsideTransaction: {
      authorizationCodes: {
        findByHash: findCodeOn(reader),
        insert: (code) => grouped((tx) => tx.authorizationCodes.insert(code)),
      },
      consents: {
        find: async (userId, clientId) => {
          const row = findConsent.get({ user_id: userId, client_id: clientId }) as Selectable<ConsentsTable> | undefined;
          return row === undefined ? null : toConsent(row);
        },
      },
    },
    inTransaction: {
      authorizationCodes: {
        insert: inTransactionInsert,
        findByHash: findCodeOn(writer),
        consume: async (codeHash, usedAtMs, issued) =>
          consumeCode.run({
            code_hash: codeHash,
            used_at_ms: usedAtMs,
            refresh_family_id: issued.refreshFamilyId,
            access_token_jti: issued.accessTokenJti,
            access_token_expires_at_ms: issued.accessTokenExpiresAtMs,
          }) === 1,
      },
      sessionClients: {
        record: async (entry) => {
          recordSessionClient.run(toSessionClientRow(entry) as unknown as Record<(typeof sessionClientColumns)[number], SQLInputValue>);
        },
      },
    },
  };
}
