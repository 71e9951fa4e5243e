// docs/security.md SEC-46 (and SEC-6): links, codes, recovery codes and TOTP keys never reach the logs, through
// the real composition root (createGatehouse, pino at debug level) with mails over real SMTP.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { totpCodeAt } from '../../src/core/otp/totp.ts';
import { createGatehouse, createLogger, type Gatehouse } from '../../src/main.ts';
import { codeIn, linkIn, startSmtpCapture, type SmtpCapture } from '../support/smtp-capture.ts';

describe('no secret in the logs', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-logs-'));
  const lines: string[] = [];
  const origin = 'https://auth.example.com';
  const headers = { origin, 'content-type': 'application/json' };
  let gatehouse: Gatehouse;
  let smtp: SmtpCapture;

  before(async () => {
    smtp = await startSmtpCapture();
    const config = loadConfig({
      env: {
        GATEHOUSE_DATABASE: join(dir, 'g.db'),
        GATEHOUSE_SECRET: 'kq3X9vT2mZ8pL4wR7nB1cY6hJ0dF5gS2aE8uW3iO',
        GATEHOUSE_PUBLIC_URL: origin,
        GATEHOUSE_LOG_LEVEL: 'debug',
        GATEHOUSE_SMTP_HOST: smtp.host,
        GATEHOUSE_SMTP_PORT: String(smtp.port),
        GATEHOUSE_SMTP_TLS: 'none',
      },
    });
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    gatehouse = await createGatehouse(config, createLogger(config, sink));
  });
  after(async () => {
    await gatehouse.close();
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('after sign-up, verification, TOTP enrolment, recovery codes, a code login and a reset', async () => {
    const inject = gatehouse.app.inject.bind(gatehouse.app);
    const email = 'logs@example.com';
    const password = 'correct horse battery staple';
    const secrets: string[] = [];
    assert.equal((await inject({ method: 'POST', url: '/v1/users', headers, payload: { email, password } })).statusCode, 202);
    const verify = linkIn(await smtp.next(email, 'Confirm'), '/verify').searchParams.get('token')!;
    secrets.push(verify);
    assert.equal((await inject({ method: 'GET', url: `/verify?token=${encodeURIComponent(verify)}` })).statusCode, 200);
    assert.equal((await inject({ method: 'POST', url: '/v1/email-verification/confirm', headers, payload: { token: verify } })).statusCode, 200);
    const login = await inject({ method: 'POST', url: '/v1/session', headers, payload: { email, password } });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    secrets.push(cookie.split('=')[1]!);
    const enrol = await inject({ method: 'POST', url: '/v1/me/two-factor/totp', headers: { origin, cookie } });
    const secret = enrol.json().secret as string;
    secrets.push(secret);
    const totp = totpCodeAt(secret, Date.now());
    const confirmed = await inject({ method: 'POST', url: '/v1/me/two-factor/totp/confirm', headers: { ...headers, cookie }, payload: { code: totp, password } });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    secrets.push(...(confirmed.json().recoveryCodes as string[]));
    await inject({ method: 'POST', url: '/v1/email-code', headers, payload: { email } });
    const code = codeIn(await smtp.next(email, 'sign-in code'));
    const codeLogin = await inject({ method: 'POST', url: '/v1/session/email-code', headers, payload: { email, code } });
    assert.equal(codeLogin.json().code, 'second_factor_required');
    const pending = String(codeLogin.headers['set-cookie']).split(';')[0]!;
    secrets.push(pending.split('=')[1]!);
    const recovered = await inject({ method: 'POST', url: '/v1/session/second-factor', headers: { ...headers, cookie: pending }, payload: { recoveryCode: secrets.at(-2)! } });
    assert.equal(recovered.statusCode, 200, recovered.body);
    await inject({ method: 'POST', url: '/v1/password-reset', headers, payload: { email } });
    const reset = linkIn(await smtp.next(email, 'Reset'), '/reset').searchParams.get('token')!;
    secrets.push(reset);
    assert.equal((await inject({ method: 'POST', url: '/v1/password-reset/confirm', headers, payload: { token: reset, newPassword: 'a different long passphrase' } })).statusCode, 204);
    await gatehouse.mailer.queue.idle();

    assert.ok(lines.length >= 10, `logs were written (${lines.length})`);
    for (const line of lines) {
      for (const value of secrets) assert.ok(!line.includes(value), `a secret in the log: ${line}`);
      // Six digits: only as a number of its own (a timestamp may hold the same digits by chance).
      for (const value of [totp, code]) assert.doesNotMatch(line, new RegExp(`(?<!\\d)${value}(?!\\d)`), `a code in the log: ${line}`);
      for (const value of [verify, reset]) assert.ok(!line.includes(value.split('.')[1]!), line);
    }
  });
});
