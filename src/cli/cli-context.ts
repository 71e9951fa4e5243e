import type { RequestContext } from '../core/deps.ts';

/** The audit context of a change made from the CLI: no IP or browser, so the audit shows `cli`. */
export const cliContext: RequestContext = { ip: 'cli', userAgent: 'gatehouse-cli' };
