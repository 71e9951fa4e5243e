#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig, ConfigError, type GatehouseConfig } from '../config/load-config.ts';
import { configurationDocs } from '../config/configuration-docs.ts';
import { createAccount } from '../core/accounts/create-account.ts';
import { deleteAccountAsOperator } from '../core/accounts/delete-account.ts';
import { disableAccount, enableAccount } from '../core/accounts/set-account-disabled.ts';
import type { CoreDeps } from '../core/deps.ts';
import { AuthError } from '../core/errors.ts';
import type { User } from '../core/ports.ts';
import { hasStrongSecondFactor } from '../core/operators/operator-access.ts';
import { grantOperator, revokeOperator } from '../core/operators/set-operator.ts';
import { listSessions } from '../core/sessions/list-sessions.ts';
import { revokeAllSessions } from '../core/sessions/revoke-all-sessions.ts';
import { revokeSession } from '../core/sessions/revoke-session.ts';
import { createCoreDeps, createGatehouse, createTokenDeps, openStore, redactUrl } from '../main.ts';
import { webhookKeys } from '../core/webhooks/webhook-secret.ts';
import { cliContext } from './cli-context.ts';
import { clientsCommand } from './clients.ts';
import { keysCommand } from './keys.ts';
import { webhooksCommand } from './webhooks.ts';
import type { TokenDeps } from '../core/tokens/issue-access-token.ts';
import { normalizeEmail } from '../core/accounts/normalize-email.ts';
import { redirectUri } from '../core/oauth-client/oauth-deps.ts';
import type { DemoIdp } from '../dev/demo-idp.ts';
import { printTable } from './table.ts';
import { unambiguous } from './unambiguous.ts';


interface GlobalOptions {
  config?: string;
  dev?: boolean;
}

function config(program: Command): GatehouseConfig {
  const options = program.opts<GlobalOptions>();
  const file = options.config ?? process.env.GATEHOUSE_CONFIG;
  return loadConfig({ env: process.env, ...(file === undefined ? {} : { file }), ...(options.dev === true ? { dev: true } : {}) });
}

/** Opens the store and the domain for one CLI command, then closes them. */
async function withCore<T>(program: Command, work: (deps: CoreDeps) => Promise<T>): Promise<T> {
  const cfg = config(program);
  const store = await openStore(cfg, { migrate: 'on-open' });
  try {
    return await work(await createCoreDeps(cfg, store));
  } finally {
    await store.close();
  }
}

/** Opens the store and the JWT key ring for one CLI command, then closes them. */
async function withTokens<T>(program: Command, work: (tokens: TokenDeps) => Promise<T>): Promise<T> {
  const cfg = config(program);
  const store = await openStore(cfg, { migrate: 'on-open' });
  try {
    return await work(createTokenDeps(cfg, store));
  } finally {
    await store.close();
  }
}

async function findUser(deps: CoreDeps, email: string): Promise<User> {
  const user = await deps.store.users.findByEmail(normalizeEmail(email) ?? email);
  if (user === null) throw new Error(`no user with email ${unambiguous(email)}`);
  return user;
}

async function readPassword(options: { password?: string; passwordStdin?: boolean }): Promise<string> {
  if (options.passwordStdin === true) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  if (options.password !== undefined) return options.password;
  throw new Error('give the password with --password-stdin (preferred: it stays out of shell history) or --password');
}

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());

/** `--limit` reaches SQL as a LIMIT: refuse anything but a positive whole number up front. */
function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

export function createCli(): Command {
  const program = new Command('gatehouse')
    .description('Gatehouse: sessions, JWTs and OAuth from one self-hosted server.')
    .option('-c, --config <file>', 'JSON config file (environment variables override it)')
    .option('--dev', 'dev mode: generate a secret next to the database (./data by default) and default the public URL (never in production)');

  program
    .command('serve')
    .description('run the server (migrates the database first)')
    .addOption(new Option('--dev', 'dev mode').hideHelp())
    .action(async (options: { dev?: boolean }) => {
      if (options.dev === true) program.setOptionValue('dev', true);
      let cfg = config(program);
      // Dev mode only: the demo IdP (loaded lazily: oidc-provider is a dev dependency).
      let demoIdp: DemoIdp | undefined;
      let demoBanner = '';
      if (cfg.dev && cfg.oauth.demoIdp) {
        const { withDemoProvider } = await import('../dev/demo-provider.ts');
        ({ config: cfg, idp: demoIdp, banner: demoBanner } = await withDemoProvider(cfg));
      }
      let gatehouse: Awaited<ReturnType<typeof createGatehouse>>;
      try {
        gatehouse = await createGatehouse(cfg);
      } catch (error) {
        await demoIdp?.close();
        throw error;
      }
      let address: string;
      try {
        address = await gatehouse.app.listen({ host: cfg.host, port: cfg.port });
      } catch (error) {
        await gatehouse.close();
        await demoIdp?.close();
        if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
        throw new Error(`port ${String(cfg.port)} on ${cfg.host} is in use (is another Gatehouse running?). Set PORT to another port.`, { cause: error });
      }
      // Dev mode only: the demo relying party, registered as a client of this server.
      let demoRp: { close(): Promise<void> } | undefined;
      let demoRpBanner = '';
      if (cfg.dev && cfg.oauth.demoRp) {
        const { withDemoRelyingParty } = await import('../dev/demo-relying-party.ts');
        try {
          ({ rp: demoRp, banner: demoRpBanner } = await withDemoRelyingParty(cfg, gatehouse.deps));
        } catch (error) {
          await gatehouse.close();
          await demoIdp?.close();
          throw error;
        }
      }
      const banner = [
        '',
        `  Gatehouse is running at ${cfg.publicUrl}  (listening on ${address})`,
        ...cfg.devNotices.map((n) => `  - ${n}`),
        `  - database: ${redactUrl(cfg.database)}`,
        `  - sign up at ${cfg.publicUrl}/signup · API description at ${cfg.publicUrl}/openapi.json`,
        ...(cfg.dev ? [`  - dev mail: every mail lands in the outbox at ${cfg.publicUrl}/dev/mail (its links and codes are printed here too)`] : []),
        ...cfg.oauth.providers.map(
          (p) =>
            `  - login with ${p.displayName} (${p.id}): register the redirect URI ${redirectUri(cfg.publicUrl, p.id)}; token endpoint auth: ${gatehouse.oauth.providers.get(p.id)?.clientAuthMethod ?? 'unknown'}`,
        ),
        ...(demoIdp === undefined ? [] : [`  - ${demoBanner}`]),
        ...(demoRp === undefined ? [] : [`  - ${demoRpBanner}`]),
        ...(cfg.inspector === 'off'
          ? []
          : [`  - inspector: watch every step of a login live at ${cfg.publicUrl}${cfg.inspector === 'admins' ? '/admin/inspector (in the operator console, operators only)' : '/dev/inspector'}`]),
        '',
      ];
      process.stdout.write(`${banner.join('\n')}\n`);
      const stop = async (): Promise<void> => {
        await demoRp?.close();
        await gatehouse.close();
        await demoIdp?.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      const cfg = config(program);
      const store = await openStore(cfg, { migrate: 'never' });
      try {
        const { applied } = await store.migrate();
        console.log(applied.length === 0 ? 'database is up to date' : `applied: ${applied.join(', ')}`);
      } finally {
        await store.close();
      }
    });

  const user = program.command('user').description('manage accounts');
  user
    .command('create')
    .requiredOption('--email <email>')
    .option('--password <password>', 'the password (visible in shell history; prefer --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (options: { email: string; password?: string; passwordStdin?: boolean }) => {
      const password = await readPassword(options);
      const created = await withCore(program, (deps) => createAccount(deps, { email: options.email, password }, cliContext));
      console.log(`created user ${created.id} <${unambiguous(created.email)}>`);
    });
  user
    .command('list')
    .option('--limit <n>', 'at most this many', positiveInteger, 100)
    .action(async (options: { limit: number }) => {
      const users = await withCore(program, (deps) => deps.store.users.list({ limit: options.limit }));
      printTable(users.map((u) => ({ id: u.id, email: u.email, created: iso(u.createdAtMs), disabled: iso(u.disabledAtMs) })));
    });
  user
    .command('disable <email>')
    .description('disable the account and end all its sessions at once')
    .action(async (email: string) => {
      await withCore(program, async (deps) => disableAccount(deps, (await findUser(deps, email)).id, cliContext));
      console.log(`disabled ${unambiguous(email)}; all its sessions ended`);
    });
  user
    .command('enable <email>')
    .action(async (email: string) => {
      await withCore(program, async (deps) => enableAccount(deps, (await findUser(deps, email)).id, cliContext));
      console.log(`enabled ${unambiguous(email)}`);
    });
  user
    .command('delete <email>')
    .action(async (email: string) => {
      await withCore(program, async (deps) => deleteAccountAsOperator(deps, (await findUser(deps, email)).id, cliContext));
      console.log(`deleted ${unambiguous(email)}`);
    });

  user
    .command('grant-admin')
    .description('make the account an operator: it may use the console at /admin once it has a second factor (audited)')
    .requiredOption('--email <email>')
    .action(async (options: { email: string }) => {
      const { email, hasFactor } = await withCore(program, async (deps) => {
        const target = await findUser(deps, options.email);
        await grantOperator(deps, target.id, cliContext);
        return { email: target.email, hasFactor: await hasStrongSecondFactor(deps, target.id) };
      });
      console.log(`${unambiguous(email)} is an operator`);
      if (!hasFactor) console.log('  note: the console stays closed to it until the account has an authenticator app (TOTP) or a passkey');
    });
  user
    .command('revoke-admin')
    .description('take operator rights away from the account, at once (audited)')
    .requiredOption('--email <email>')
    .action(async (options: { email: string }) => {
      const email = await withCore(program, async (deps) => {
        const target = await findUser(deps, options.email);
        await revokeOperator(deps, target.id, cliContext);
        return target.email;
      });
      console.log(`${unambiguous(email)} is no longer an operator`);
    });
  user
    .command('list-admins')
    .description('list the operators')
    .action(async () => {
      const operators = await withCore(program, (deps) => deps.store.operators.list());
      printTable(operators.map((o) => ({ id: o.userId, email: o.email, since: iso(o.sinceMs) })));
    });

  const sessions = program.command('sessions').description("inspect and revoke a user's sessions");
  sessions
    .command('list')
    .requiredOption('--user <email>')
    .action(async (options: { user: string }) => {
      const list = await withCore(program, async (deps) => listSessions(deps, (await findUser(deps, options.user)).id));
      printTable(list.map((s) => ({ id: s.id, ip: s.ip, 'user agent': s.userAgent.slice(0, 60), created: iso(s.createdAtMs), 'last seen': iso(s.lastSeenAtMs) })));
    });
  sessions
    .command('revoke')
    .requiredOption('--user <email>')
    .option('--session <id>', 'only this session (default: all of them)')
    .action(async (options: { user: string; session?: string }) => {
      const ended = await withCore(program, async (deps) => {
        const target = await findUser(deps, options.user);
        if (options.session === undefined) return revokeAllSessions(deps, target.id, cliContext);
        await revokeSession(deps, target.id, options.session, cliContext);
        return [options.session];
      });
      console.log(`revoked ${ended.length} session(s)`);
    });

  program.addCommand(clientsCommand((work) => withCore(program, work)));
  program.addCommand(webhooksCommand((work) => withCore(program, (deps) => work({ store: deps.store, clock: deps.clock, random: deps.random, webhookKeys: webhookKeys(config(program).secrets) }))));
  program.addCommand(keysCommand((work) => withTokens(program, work)));

  program
    .command('audit')
    .description('show the audit trail, newest first')
    .option('--user <email>')
    .option('--limit <n>', 'at most this many', positiveInteger, 50)
    .action(async (options: { user?: string; limit: number }) => {
      const events = await withCore(program, async (deps) => {
        const userId = options.user === undefined ? undefined : (await findUser(deps, options.user)).id;
        return deps.store.audit.list({ limit: options.limit, ...(userId === undefined ? {} : { userId }) });
      });
      printTable(events.map((e) => ({ time: iso(e.atMs), event: e.type, user: e.userId ?? '', email: e.email ?? '', ip: e.ip, 'user agent': e.userAgent.slice(0, 40), detail: e.detail ?? '' })));
    });

  program
    .command('config-docs')
    .description('print the configuration reference (docs/configuration.md)')
    .action(() => {
      process.stdout.write(configurationDocs());
    });

  return program;
}

/** Runs the CLI on process.argv; sets a non-zero exit code on failure. */
export async function runCli(): Promise<void> {
  try {
    await createCli().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof ConfigError) console.error(error.message);
    else if (error instanceof AuthError) console.error(`gatehouse: ${error.code}: ${error.message}`);
    else console.error(`gatehouse: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

if (import.meta.main) await runCli();
