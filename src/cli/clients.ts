import { Command, InvalidArgumentError, Option } from 'commander';
import { clientTypes, grantTypes, refreshTokenDeliveries } from '../core/clients/client-policy.ts';
import { idTokenSigningAlgorithms, tokenEndpointAuthMethodNames } from '../core/clients/client-oidc-policy.ts';
import { createClient } from '../core/clients/create-client.ts';
import { deleteClient } from '../core/clients/delete-client.ts';
import { enforceAuthMethod } from '../core/clients/enforce-auth-method.ts';
import { listClients } from '../core/clients/list-clients.ts';
import type { CoreDeps } from '../core/deps.ts';
import type { ClientType, GrantType, RefreshTokenDelivery } from '../core/ports.ts';
import { cliContext } from './cli-context.ts';
import { printTable } from './table.ts';

/** Runs `work` with the domain opened on the configured database, then closes it. */
export type WithCore = <T>(work: (deps: CoreDeps) => Promise<T>) => Promise<T>;

/** `--grant` may be repeated (`--grant password --grant refresh_token`); checked before the database is opened. */
function collectGrant(value: string, previous: GrantType[] | undefined): GrantType[] {
  if (!(grantTypes as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${grantTypes.join(', ')}`);
  return [...(previous ?? []), value as GrantType];
}

/** A repeatable option (`--redirect-uri A --redirect-uri B`): every value, in order. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--jwks` is the JSON text of a JWKS; its keys are checked by createClient. */
function parseJson(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new InvalidArgumentError('expected the JSON text of a JWKS, {"keys": [...]}');
  }
}

interface CreateOptions {
  name: string;
  type: ClientType;
  grant: GrantType[];
  audience?: string;
  id?: string;
  refreshTokenDelivery: RefreshTokenDelivery;
  redirectUri?: string[];
  postLogoutRedirectUri?: string[];
  backchannelLogoutUri?: string;
  scope?: string[];
  skipConsent?: true;
  requirePkce?: true;
  requirePar?: true;
  requireDpop?: true;
  tokenEndpointAuthMethod?: string;
  jwksUri?: string;
  jwks?: unknown;
  idTokenAlg?: string;
}

const secretWarning =
  'warning: the client secret above is shown this once and is not stored (only its SHA-256 hash is).\n' +
  'Put it in the app’s secret store now; if it is lost, delete the client and create a new one.\n';

/**
 * `gatehouse clients create | list | delete`: registering the apps that ask Gatehouse for tokens.
 *
 * @example
 * program.addCommand(clientsCommand((work) => withCore(program, work)));
 */
export function clientsCommand(withCore: WithCore): Command {
  const clients = new Command('clients').description('register the apps (OAuth clients) that ask for tokens');

  clients
    .command('create')
    .description('register a client; a confidential one gets a secret, printed once')
    .requiredOption('--name <name>', 'a name for operators, 1 to 100 characters')
    .addOption(new Option('--type <type>', 'confidential: a server-side app that keeps a secret; public: a mobile, desktop or browser app').choices(clientTypes).makeOptionMandatory())
    .requiredOption('--grant <grant>', `a grant it may use: ${grantTypes.join(', ')} (repeat for several)`, collectGrant)
    .option('--audience <audience>', 'the API its access tokens are for (their aud), e.g. https://api.example.com (default: the client id)')
    .option('--id <id>', 'the client id (default: random); A-Z a-z 0-9 . _ ~ -')
    .addOption(
      new Option('--refresh-token-delivery <where>', 'cookie: a browser app (public); its refresh token lives only in an HttpOnly cookie, never in a response body')
        .choices(refreshTokenDeliveries)
        .default('body'),
    )
    .option('--redirect-uri <uri>', 'where the authorization endpoint may send the browser back, compared exactly (repeat for several)', collect)
    .option('--post-logout-redirect-uri <uri>', 'where logout may send the browser afterwards (repeat for several)', collect)
    .option('--backchannel-logout-uri <uri>', 'where Gatehouse POSTs logout tokens when a session ends')
    .option('--scope <scope>', 'an API scope it may ask for, beyond openid profile email offline_access (repeat for several)', collect)
    .option('--skip-consent', 'a first-party app: never ask its users for consent')
    .option('--require-pkce', 'PKCE even with an OpenID nonce (public clients always need it)')
    .option('--require-par', 'authorization requests only through pushed authorization requests')
    .option('--require-dpop', 'tokens only bound to a DPoP key')
    .addOption(new Option('--token-endpoint-auth-method <method>', 'how it authenticates (default: none for public, client_secret_basic for confidential)').choices(tokenEndpointAuthMethodNames))
    .option('--jwks-uri <uri>', 'private_key_jwt: where its public keys are published')
    .option('--jwks <json>', 'private_key_jwt: its public keys, the JSON text of a JWKS', parseJson)
    .addOption(new Option('--id-token-alg <alg>', 'the algorithm of its ID tokens (default RS256)').choices(idTokenSigningAlgorithms))
    .action(async (options: CreateOptions) => {
      const { client, secret } = await withCore((deps) =>
        createClient(deps, {
          name: options.name,
          type: options.type,
          grantTypes: options.grant,
          refreshTokenDelivery: options.refreshTokenDelivery,
          redirectUris: options.redirectUri ?? [],
          postLogoutRedirectUris: options.postLogoutRedirectUri ?? [],
          scopes: options.scope ?? [],
          skipConsent: options.skipConsent === true,
          requirePkce: options.requirePkce === true,
          requirePar: options.requirePar === true,
          requireDpop: options.requireDpop === true,
          ...(options.audience === undefined ? {} : { audience: options.audience }),
          ...(options.id === undefined ? {} : { id: options.id }),
          ...(options.backchannelLogoutUri === undefined ? {} : { backchannelLogoutUri: options.backchannelLogoutUri }),
          ...(options.tokenEndpointAuthMethod === undefined ? {} : { tokenEndpointAuthMethod: options.tokenEndpointAuthMethod }),
          ...(options.jwksUri === undefined ? {} : { jwksUri: options.jwksUri }),
          ...(options.jwks === undefined ? {} : { jwks: options.jwks }),
          ...(options.idTokenAlg === undefined ? {} : { idTokenSignedResponseAlg: options.idTokenAlg }),
        }),
      );
      // Machine-readable lines on stdout (`client_id: ...`), the warning on stderr, so
      // `gatehouse clients create ... > credentials` captures exactly what the app needs.
      process.stdout.write(`created ${client.type} client ${JSON.stringify(client.name)}\nclient_id: ${client.id}\n`);
      if (secret !== null) {
        process.stdout.write(`client_secret: ${secret}\n`);
        process.stderr.write(secretWarning);
      }
    });

  clients
    .command('list')
    .description('list every client (never its secret)')
    .action(async () => {
      const list = await withCore((deps) => listClients(deps));
      printTable(
        list.map((c) => ({
          id: c.id,
          name: c.name,
          type: c.type,
          auth_method: c.acceptsEitherSecretMethod ? `${c.tokenEndpointAuthMethod} (or the other secret method: enforce-auth-method)` : c.tokenEndpointAuthMethod,
          grants: c.grantTypes.join(' '),
          audience: c.audience,
          refresh: c.refreshTokenDelivery,
          redirect_uris: c.redirectUris.join(' '),
          post_logout_uris: c.postLogoutRedirectUris.join(' '),
          backchannel_uri: c.backchannelLogoutUri,
          created: new Date(c.createdAtMs).toISOString(),
        })),
      );
    });

  clients
    .command('delete <id>')
    .description('delete a client: it can no longer obtain tokens')
    .action(async (id: string) => {
      await withCore((deps) => deleteClient(deps, id));
      console.log(`deleted client ${id}`);
    });

  clients
    .command('enforce-auth-method <id>')
    .description('hold a client registered before migration 0020 to exactly its registered secret method (it accepted both)')
    .action(async (id: string) => {
      const outcome = await withCore((deps) => enforceAuthMethod(deps, id, cliContext));
      console.log(outcome === 'enforced' ? `client ${id} now authenticates only by its registered method` : `client ${id} already authenticates only by its registered method`);
    });

  return clients;
}
