import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditEvent } from '../../src/core/audit/audit-event.ts';
import { systemRandom } from '../../src/core/clock.ts';
import { createMetrics } from '../../src/metrics/metrics.ts';
import { methodLabel, withMetrics } from '../../src/metrics/with-metrics.ts';
import { createMemoryStore } from '../../src/storage/memory/memory-store.ts';
import { createManualClock, testContext } from '../support/core-deps.ts';
import { parsePrometheusText } from '../support/prometheus-text.ts';

describe('withMetrics', () => {
  it('names login methods with bounded labels', () => {
    assert.equal(methodLabel('session s1 (password)'), 'password');
    assert.equal(methodLabel('session s1 (password + totp)'), 'password+totp');
    assert.equal(methodLabel('session s1 (passkey hwk user mfa)'), 'passkey');
    assert.equal(methodLabel('oauth github session s2'), 'oauth');
    assert.equal(methodLabel(null), 'unknown');
    assert.equal(methodLabel('session s1 (<script>)'), 'script');
  });

  it('counts logins and second factors from the audit entries written, inside transactions too', async () => {
    const metrics = createMetrics({ activeSessions: async () => 0, webhookBacklog: async () => ({ pending: 0, dead: 0 }) });
    const store = withMetrics(createMemoryStore(), metrics);
    const deps = { clock: createManualClock(), random: systemRandom };
    await store.audit.append(auditEvent(deps, 'login.succeeded', testContext(), { detail: 'session s1 (password + totp)' }));
    await store.transaction(async (tx) => tx.audit.append(auditEvent(deps, 'login.failed', testContext(), { detail: 'wrong_password' })));
    await store.audit.append(auditEvent(deps, 'second_factor.failed', testContext(), { detail: 'recovery_code' }));
    await store.audit.append(auditEvent(deps, 'reauth.succeeded', testContext(), {}));
    const exposition = parsePrometheusText(await metrics.registry.metrics());
    assert.equal(exposition.value('gatehouse_logins_total', { method: 'password+totp', result: 'success' }), 1);
    assert.equal(exposition.value('gatehouse_logins_total', { method: 'password', result: 'failure' }), 1);
    assert.equal(exposition.value('gatehouse_second_factor_total', { factor: 'totp', result: 'success' }), 1);
    assert.equal(exposition.value('gatehouse_second_factor_total', { factor: 'recovery_code', result: 'failure' }), 1);
    assert.equal((await store.audit.list({ limit: 10 })).length, 4, 'every entry still written');
  });
});
