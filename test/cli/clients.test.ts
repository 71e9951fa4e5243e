import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { authenticateClient } from '../../src/core/clients/authenticate-client.ts';
import { openSqliteStore } from '../../src/storage/sql/sqlite.ts';
import { clientRecord } from '../support/client-record.ts';
import { createTestCore } from '../support/core-deps.ts';
import { cliEnv, makeTempDir, runCli, runCliOk, tableRows, type TempDir } from '../support/cli-process.ts';

let temp: TempDir;
let env: Record<string, string>;
beforeEach(() => {
  temp = makeTempDir();
  env = cliEnv(temp.database);
});
afterEach(() => temp.remove());

const confidentialArgs = ['clients', 'create', '--name', 'Billing backend', '--type', 'confidential', '--grant', 'password', '--grant', 'refresh_token', '--audience', 'https://api.example.com'];

// The timeout is a hang guard, not a timing assertion: every CLI run spawns Node, which is slow
// on a busy 2-core machine while the PostgreSQL-backed suites run alongside.
describe('gatehouse clients (no server running)', { timeout: 600_000 }, () => {
  test('clients create --type confidential prints the id and the secret once, with a warning; the secret works and is stored nowhere (SEC-76)', async () => {
    const created = await runCli(confidentialArgs, { env });
    assert.equal(created.code, 0, created.stderr);
    const id = /^client_id: (\S+)$/m.exec(created.stdout)?.[1] ?? assert.fail(`no client_id line:\n${created.stdout}`);
    const secret = /^client_secret: (\S+)$/m.exec(created.stdout)?.[1] ?? assert.fail(`no client_secret line:\n${created.stdout}`);
    assert.match(created.stdout, /^created confidential client "Billing backend"$/m);
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(created.stdout.split(secret).length - 1, 1, 'the secret is printed exactly once');
    assert.ok(!created.stderr.includes(secret), 'the warning does not repeat the secret');
    assert.match(created.stderr, /shown this once and is not stored/);

    // The secret authenticates the client against what the CLI wrote to the database, which
    // holds only base64url(SHA-256(secret)); neither appears in what the operator can list.
    const secretHash = createHash('sha256').update(secret).digest('base64url');
    const store = await openSqliteStore(temp.database, { migrate: 'never' });
    try {
      const core = await createTestCore({ store });
      assert.equal((await authenticateClient(core, { method: 'client_secret_basic', clientId: id, clientSecret: secret })).name, 'Billing backend');
      await assert.rejects(authenticateClient(core, { method: 'client_secret_basic', clientId: id, clientSecret: secretHash }), { code: 'invalid_client' }, 'the stored hash is not a credential');
      const stored = await store.clients.findById(id);
      assert.equal(stored?.secretHash, secretHash);
      assert.ok(!JSON.stringify(stored).includes(secret), 'the database holds the secret itself');
    } finally {
      await store.close();
    }

    const listed = await runCliOk(['clients', 'list'], { env });
    assert.ok(!listed.includes(secret), 'clients list shows the secret');
    assert.ok(!listed.includes(secretHash), 'clients list shows the hash');
    const rows = tableRows(listed);
    assert.equal(rows.length, 1, listed);
    const [row] = rows;
    assert.deepEqual(Object.keys(row ?? {}), ['id', 'name', 'type', 'auth_method', 'grants', 'audience', 'refresh', 'redirect_uris', 'post_logout_uris', 'backchannel_uri', 'created']);
    assert.equal(row?.id, id);
    assert.equal(row?.name, 'Billing backend');
    assert.equal(row?.type, 'confidential');
    assert.equal(row?.grants, 'password refresh_token');
    assert.equal(row?.auth_method, 'client_secret_basic');
    assert.equal(row?.audience, 'https://api.example.com');
    assert.match(row?.created ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  test('clients create --type public --id prints no secret; clients delete removes it', async () => {
    const created = await runCli(['clients', 'create', '--name', 'Mobile app', '--type', 'public', '--grant', 'session', '--audience', 'api://mobile', '--id', 'mobile-app'], { env });
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^client_id: mobile-app$/m);
    assert.doesNotMatch(created.stdout, /client_secret/);
    assert.equal(created.stderr, '', 'no secret, no warning');
    await runCliOk(confidentialArgs, { env });
    assert.deepEqual(tableRows(await runCliOk(['clients', 'list'], { env })).map((r) => r.type).sort(), ['confidential', 'public']);

    assert.match(await runCliOk(['clients', 'delete', 'mobile-app'], { env }), /^deleted client mobile-app$/m);
    const remaining = tableRows(await runCliOk(['clients', 'list'], { env }));
    assert.deepEqual(remaining.map((r) => r.type), ['confidential']);

    const again = await runCli(['clients', 'delete', 'mobile-app'], { env });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /not_found/);
  });

  test('clients enforce-auth-method holds a client registered before migration 0020 to its registered secret method; list shows the leeway until then (SEC-208)', async () => {
    await runCliOk(['clients', 'list'], { env }); // creates and migrates the database
    const secret = 'legacy-secret-of-43-characters-xxxxxxxxxxxxx';
    const store = await openSqliteStore(temp.database, { migrate: 'never' });
    try {
      await store.clients.create(clientRecord({ id: 'legacy', name: 'Legacy', type: 'confidential', secretHash: createHash('sha256').update(secret).digest('base64url'), grantTypes: ['client_credentials'], audience: 'api', refreshTokenDelivery: 'body', createdAtMs: Date.now() }, { acceptsEitherSecretMethod: true }));
    } finally {
      await store.close();
    }
    assert.match(tableRows(await runCliOk(['clients', 'list'], { env }))[0]?.auth_method ?? '', /^client_secret_basic \(or the other secret method/);

    assert.match(await runCliOk(['clients', 'enforce-auth-method', 'legacy'], { env }), /^client legacy now authenticates only by its registered method$/m);
    assert.equal(tableRows(await runCliOk(['clients', 'list'], { env }))[0]?.auth_method, 'client_secret_basic');
    assert.match(await runCliOk(['clients', 'enforce-auth-method', 'legacy'], { env }), /already authenticates only by its registered method/);
    const reopened = await openSqliteStore(temp.database, { migrate: 'never' });
    try {
      const core = await createTestCore({ store: reopened });
      await assert.rejects(authenticateClient(core, { method: 'client_secret_post', clientId: 'legacy', clientSecret: secret }), { code: 'invalid_client' });
      assert.equal((await authenticateClient(core, { method: 'client_secret_basic', clientId: 'legacy', clientSecret: secret })).id, 'legacy');
      const entry = (await reopened.auditSearch.page({}, { limit: 10 })).find((e) => e.type === 'client.auth_method_enforced');
      assert.deepEqual([entry?.ip, entry?.detail], ['cli', 'client legacy: client_secret_basic only']);
    } finally {
      await reopened.close();
    }
    const unknown = await runCli(['clients', 'enforce-auth-method', 'nobody'], { env });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /not_found/);
  });

  test('clients create --refresh-token-delivery cookie registers a browser app; list shows where its refresh tokens go', async () => {
    await runCliOk(['clients', 'create', '--name', 'Web app', '--type', 'public', '--grant', 'password', '--grant', 'refresh_token', '--audience', 'api', '--id', 'web', '--refresh-token-delivery', 'cookie'], { env });
    await runCliOk([...confidentialArgs, '--id', 'billing'], { env });
    const rows = tableRows(await runCliOk(['clients', 'list'], { env }));
    assert.deepEqual(rows.map((r) => [r.id, r.refresh]), [['web', 'cookie'], ['billing', 'body']]);
    const refused = await runCli([...confidentialArgs, '--id', 'server-cookie', '--refresh-token-delivery', 'cookie'], { env });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /public clients/);
    const unknown = await runCli(['clients', 'create', '--name', 'x', '--type', 'public', '--grant', 'password', '--audience', 'api', '--refresh-token-delivery', 'localStorage'], { env });
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /body, cookie/);
  });

  test('clients create registers an OpenID client with every flag of issue 13 §10; list shows its URIs', async () => {
    const created = await runCli(
      [
        'clients', 'create', '--name', 'Notes', '--type', 'confidential', '--grant', 'authorization_code', '--grant', 'refresh_token', '--grant', 'client_credentials',
        '--redirect-uri', 'https://notes.example.com/cb', '--redirect-uri', 'http://127.0.0.1:8080/cb', '--post-logout-redirect-uri', 'https://notes.example.com/bye',
        '--backchannel-logout-uri', 'https://notes.example.com/backchannel', '--scope', 'notes:read', '--scope', 'notes:write',
        '--skip-consent', '--require-pkce', '--require-par', '--require-dpop', '--id', 'notes', '--audience', 'https://api.notes.example.com',
        '--token-endpoint-auth-method', 'client_secret_post', '--id-token-alg', 'ES256',
      ],
      { env },
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^client_id: notes$/m);
    assert.match(created.stdout, /^client_secret: [A-Za-z0-9_-]{43}$/m);
    const jwks = JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] });
    const keyed = await runCli(['clients', 'create', '--name', 'Keyed', '--type', 'confidential', '--grant', 'client_credentials', '--id', 'keyed', '--token-endpoint-auth-method', 'private_key_jwt', '--jwks', jwks], { env });
    assert.equal(keyed.code, 0, keyed.stderr);
    assert.doesNotMatch(keyed.stdout, /client_secret/, 'a private_key_jwt client authenticates with its key, so it gets no secret');
    await runCliOk(['clients', 'create', '--name', 'Phone', '--type', 'public', '--grant', 'authorization_code', '--redirect-uri', 'com.example.notes:/cb', '--id', 'phone'], { env });

    const rows = tableRows(await runCliOk(['clients', 'list'], { env }));
    const notes = rows.find((r) => r.id === 'notes');
    assert.equal(notes?.grants, 'authorization_code refresh_token client_credentials');
    assert.equal(notes?.redirect_uris, 'https://notes.example.com/cb http://127.0.0.1:8080/cb');
    assert.equal(notes?.post_logout_uris, 'https://notes.example.com/bye');
    assert.equal(notes?.backchannel_uri, 'https://notes.example.com/backchannel');
    assert.equal(rows.find((r) => r.id === 'phone')?.audience, 'phone', 'without --audience, the client id');

    const store = await openSqliteStore(temp.database, { migrate: 'never' });
    try {
      const stored = await store.clients.findById('notes');
      assert.deepEqual(
        { ...stored, secretHash: null, createdAtMs: 0 },
        {
          id: 'notes', name: 'Notes', type: 'confidential', secretHash: null, grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
          audience: 'https://api.notes.example.com', refreshTokenDelivery: 'body', redirectUris: ['https://notes.example.com/cb', 'http://127.0.0.1:8080/cb'],
          postLogoutRedirectUris: ['https://notes.example.com/bye'], backchannelLogoutUri: 'https://notes.example.com/backchannel', scopes: ['notes:read', 'notes:write'],
          skipConsent: true, requirePkce: true, requirePar: true, requireDpop: true, tokenEndpointAuthMethod: 'client_secret_post', acceptsEitherSecretMethod: false, jwksUri: null, jwks: null,
          idTokenSignedResponseAlg: 'ES256', createdAtMs: 0,
        },
      );
      assert.equal((await store.clients.findById('keyed'))?.jwks?.keys[0]?.kty, 'EC');
      assert.equal((await store.clients.findById('phone'))?.tokenEndpointAuthMethod, 'none');
      assert.equal((await store.clients.findById('phone'))?.idTokenSignedResponseAlg, 'RS256');
    } finally {
      await store.close();
    }
  });

  test('clients list with no clients prints (none)', async () => {
    assert.equal((await runCliOk(['clients', 'list'], { env })).trim(), '(none)');
  });

  test('a taken --id exits 1 with client_id_taken, and the first client is kept', async () => {
    await runCliOk([...confidentialArgs, '--id', 'billing'], { env });
    const taken = await runCli(['clients', 'create', '--name', 'Impostor', '--type', 'public', '--grant', 'password', '--audience', 'api', '--id', 'billing'], { env });
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /client_id_taken/);
    assert.doesNotMatch(taken.stdout, /client_id:/);
    assert.ok(!taken.stderr.includes('    at '), `no stack trace for an expected refusal:\n${taken.stderr}`);
    assert.deepEqual(tableRows(await runCliOk(['clients', 'list'], { env })).map((r) => r.name), ['Billing backend']);
  });

  test('bad input exits 1 with a message naming the problem, and registers nothing', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--name', 'X', '--type', 'public', '--grant', 'implicit', '--audience', 'api'], /--grant.*expected one of password, refresh_token, session, authorization_code, client_credentials/],
      [['--name', 'X', '--type', 'public', '--grant', 'client_credentials', '--audience', 'api'], /validation_failed: The client_credentials grant is for confidential clients/],
      [['--name', 'X', '--type', 'public', '--grant', 'authorization_code'], /validation_failed: The authorization_code grant needs at least one redirect URI/],
      [['--name', 'X', '--type', 'public', '--grant', 'authorization_code', '--redirect-uri', 'https://rp.example.com/cb#frag'], /validation_failed: A redirect URI must not contain a fragment/],
      [['--name', 'X', '--type', 'confidential', '--grant', 'authorization_code', '--redirect-uri', 'http://rp.example.com/cb'], /validation_failed: A redirect URI over http must point at a loopback host/],
      [['--name', 'X', '--type', 'confidential', '--grant', 'authorization_code', '--redirect-uri', 'https://rp.example.com/cb', '--token-endpoint-auth-method', 'private_key_jwt'], /validation_failed: private_key_jwt needs/],
      [['--name', 'X', '--type', 'confidential', '--grant', 'authorization_code', '--redirect-uri', 'https://rp.example.com/cb', '--jwks', 'not json'], /--jwks.*JSON/],
      [['--name', 'X', '--type', 'confidential', '--grant', 'authorization_code', '--redirect-uri', 'https://rp.example.com/cb', '--id-token-alg', 'HS256'], /--id-token-alg/],
      [['--name', 'X', '--type', 'trusted', '--grant', 'password', '--audience', 'api'], /--type/],
      [['--name', 'X', '--type', 'public', '--audience', 'api'], /--grant/],
      [['--name', 'X', '--type', 'public', '--grant', 'password', '--audience', 'two words'], /validation_failed: An audience must not contain whitespace/],
      [['--name', '', '--type', 'public', '--grant', 'password', '--audience', 'api'], /validation_failed: A client name/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['clients', 'create', ...args], { env });
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, message, args.join(' '));
    }
    assert.equal((await runCliOk(['clients', 'list'], { env })).trim(), '(none)');
  });
});
