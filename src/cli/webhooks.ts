import { Command, InvalidArgumentError } from 'commander';
import { retryDelivery } from '../core/delivery/retry-delivery.ts';
import type { DeliveryState } from '../core/ports.ts';
import { addWebhookEndpoint } from '../core/webhooks/add-webhook-endpoint.ts';
import { removeWebhookEndpoint } from '../core/webhooks/remove-webhook-endpoint.ts';
import { rotateWebhookSecret } from '../core/webhooks/rotate-webhook-secret.ts';
import type { WebhookDeps } from '../core/webhooks/webhook-deps.ts';
import { webhookEventTypes } from '../core/webhooks/webhook-events.ts';
import { webhookKind } from '../core/webhooks/with-webhook-events.ts';
import { cliContext } from './cli-context.ts';
import { printTable } from './table.ts';

/** Runs `work` with the webhook operations' dependencies on the configured database, then closes it. */
export type WithWebhooks = <T>(work: (deps: WebhookDeps) => Promise<T>) => Promise<T>;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(/[\s,]+/).filter(Boolean)];
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > 10_000) throw new InvalidArgumentError('expected a whole number from 1 to 10000');
  return n;
}

const secretWarning =
  'warning: the signing secret above is shown this once. Give it to the receiver now (it verifies\n' +
  'webhook-signature with it, e.g. with the standardwebhooks library); if it is lost, run rotate-secret.\n';

/**
 * `gatehouse webhooks add | list | remove | rotate-secret | deliveries | retry`.
 *
 * @example
 * program.addCommand(webhooksCommand((work) => withCore(program, (deps) => work({ ...deps, webhookKeys }))));
 */
export function webhooksCommand(withWebhooks: WithWebhooks): Command {
  const webhooks = new Command('webhooks').description('signed webhooks: endpoints, and the deliveries to them');

  webhooks
    .command('add')
    .description('add an endpoint; its signing secret (whsec_...) is printed once')
    .requiredOption('--url <url>', 'where events are POSTed: https (http only for localhost)')
    .requiredOption('--event <event...>', `the events it receives: ${webhookEventTypes.join(', ')}`, collect)
    .action(async (options: { url: string; event: string[] }) => {
      const { endpoint, secret } = await withWebhooks((deps) => addWebhookEndpoint(deps, { url: options.url, events: options.event }, cliContext));
      process.stdout.write(`added webhook endpoint ${endpoint.url}\nid: ${endpoint.id}\nevents: ${endpoint.events.join(' ')}\nsecret: ${secret}\n`);
      process.stderr.write(secretWarning);
    });

  webhooks
    .command('list')
    .description('list the endpoints with their failure state (never their secrets)')
    .action(async () => {
      const rows = await withWebhooks(async (deps) => {
        const endpoints = await deps.store.webhookEndpoints.list();
        return Promise.all(
          endpoints.map(async (e) => ({
            id: e.id,
            url: e.url,
            events: e.events.join(' '),
            failures: e.consecutiveFailures,
            last_success: iso(e.lastSuccessAtMs),
            last_failure: iso(e.lastFailureAtMs),
            last_error: e.lastError,
            dead: (await deps.store.deliveries.list({ kind: webhookKind, subject: e.id, state: 'dead', limit: 10_000 })).length,
          })),
        );
      });
      printTable(rows);
    });

  webhooks
    .command('remove')
    .description('remove an endpoint; its pending deliveries end as dead')
    .argument('<id>', 'the endpoint id (ep_...)')
    .action(async (id: string) => {
      await withWebhooks((deps) => removeWebhookEndpoint(deps, id, cliContext));
      process.stdout.write(`removed webhook endpoint ${id}\n`);
    });

  webhooks
    .command('rotate-secret')
    .description('give an endpoint a new signing secret, printed once; the old one stops at once')
    .argument('<id>', 'the endpoint id (ep_...)')
    .action(async (id: string) => {
      const secret = await withWebhooks((deps) => rotateWebhookSecret(deps, id, cliContext));
      process.stdout.write(`secret: ${secret}\n`);
      process.stderr.write(secretWarning);
    });

  webhooks
    .command('deliveries')
    .description('list recent webhook deliveries, newest first')
    .option('--dead', 'only the dead letters (given up on; retry them with `webhooks retry`)')
    .option('--endpoint <id>', 'only those to this endpoint')
    .option('--limit <n>', 'at most this many', positiveInteger, 50)
    .action(async (options: { dead?: true; endpoint?: string; limit: number }) => {
      const state: DeliveryState | undefined = options.dead === true ? 'dead' : undefined;
      const list = await withWebhooks((deps) =>
        deps.store.deliveries.list({ kind: webhookKind, limit: options.limit, ...(state === undefined ? {} : { state }), ...(options.endpoint === undefined ? {} : { subject: options.endpoint }) }),
      );
      printTable(
        list.map((d) => ({
          id: d.id,
          endpoint: d.subject,
          event: (JSON.parse(d.payload) as { type?: string }).type,
          state: d.state,
          attempts: d.attempts,
          created: iso(d.createdAtMs),
          next_attempt: d.state === 'pending' ? iso(d.nextAttemptAtMs) : null,
          last_status: d.lastStatus,
          last_error: d.lastError,
        })),
      );
    });

  webhooks
    .command('retry')
    .description('send a dead delivery again, with the same webhook-id')
    .argument('<delivery-id>', 'the delivery id (msg_...)')
    .action(async (id: string) => {
      await withWebhooks((deps) => retryDelivery(deps, id, cliContext));
      process.stdout.write(`delivery ${id} is pending again\n`);
    });

  return webhooks;
}
