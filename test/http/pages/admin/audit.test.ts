import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { csvCell } from '../../../../src/http/pages/admin/audit-export.ts';
import { makeConsoleOperator } from '../../../support/operators.ts';
import { testPassword } from '../../../support/core-deps.ts';
import { createTestApp, logInThroughApi, signUpThroughApi, withSession, type TestApp } from '../../../support/http-app.ts';

/** The console's audit page and its exports (src/http/pages/admin/audit.ts, audit-export.ts). */

let t: TestApp;
let token: string;
before(async () => {
  t = await createTestApp();
  token = await signUpThroughApi(t.app, 'auditor@example.com', testPassword);
  await makeConsoleOperator(t.core, (await t.core.store.users.findByEmail('auditor@example.com'))!.id);
});
after(() => t.close());

const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { accept: 'text/html', ...withSession(token) } });

describe('console: audit', () => {
  it('csvCell neutralises cells a spreadsheet would run as formulas, and quotes every cell (SEC-275)', () => {
    assert.equal(csvCell('=HYPERLINK("http://evil.example","click")'), '"\'=HYPERLINK(""http://evil.example"",""click"")"');
    for (const start of ['=', '+', '-', '@', '\t', '\r']) assert.ok(csvCell(`${start}1+1`).startsWith(`"'${start}`), JSON.stringify(start));
    assert.equal(csvCell('plain@example.com'), '"plain@example.com"');
    assert.equal(csvCell('a,b\nc'), '"a,b\nc"');
  });

  it('an attacker-typed email and user agent arrive in the CSV export as text, not formulas (SEC-275)', async () => {
    await logInThroughApi(t.app, '=cmd|"/c calc"!A1@example.com', 'wrong password here', { 'user-agent': '@SUM(1+1)*cmd|" /C calc"!A0' });
    await logInThroughApi(t.app, 'nobody@example.com', 'wrong password here', { 'user-agent': '+1+1' });
    const csv = await get('/admin/audit/export.csv?type=login.failed');
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.match(String(csv.headers['content-disposition']), /^attachment; filename="gatehouse-audit-[^"]+\.csv"$/);
    const lines = csv.body.trimEnd().split('\r\n');
    assert.equal(lines[0], 'time,event,user_id,email,ip,user_agent,actor_id,detail');
    assert.equal(lines.length, 3, csv.body);
    for (const line of lines.slice(1)) {
      const cells = line.match(/"(?:[^"]|"")*"/g) ?? [];
      assert.equal(cells.length, 8, line);
      for (const cell of cells) assert.doesNotMatch(cell, /^"[=+\-@\t\r]/, `a cell starts a formula: ${cell}`);
    }
    assert.match(csv.body, /"'@SUM\(1\+1\)\*cmd\|"" \/C calc""!A0"/);
    assert.match(csv.body, /"'\+1\+1"/);
  });

  it('filters by user (email or id), type, IP and days; pages with a cursor link', async () => {
    const user = (await t.core.store.users.findByEmail('auditor@example.com'))!;
    for (let i = 0; i < 55; i++) {
      await t.core.store.audit.append({ id: `seeded-${i}`, atMs: t.core.clock.nowMs(), type: 'login.failed', userId: user.id, email: user.email, ip: '203.0.113.9', userAgent: 'test', detail: 'wrong_password', actorId: null });
    }
    const page = await get(`/admin/audit?user=AUDITOR@example.com&type=login.failed`);
    assert.equal(page.statusCode, 200);
    assert.equal((page.body.match(/<td data-label="Event">login\.failed<\/td>/g) ?? []).length, 50);
    const next = /href="(\/admin\/audit\?[^"]*after=[^"]+)"/.exec(page.body)?.[1]?.replace(/&amp;/g, '&');
    assert.ok(next !== undefined && next.includes(`user=AUDITOR%40example.com`), next);
    const rest = await get(next);
    assert.equal((rest.body.match(/login\.failed<\/td>/g) ?? []).length, 5);
    assert.equal((await get(`/admin/audit?user=${user.id}&ip=203.0.113.250`)).body.match(/login\.failed<\/td>/g), null);
    const today = new Date(t.core.clock.nowMs()).toISOString().slice(0, 10);
    assert.match((await get(`/admin/audit?from=${today}&to=${today}&type=user.signed_up`)).body, /user\.signed_up/);
    assert.doesNotMatch((await get(`/admin/audit?to=2000-01-01`)).body, /user\.signed_up/);
    assert.equal((await get('/admin/audit?type=<script>')).statusCode, 400);
  });

  it('exports JSON Lines: one parseable entry per line, with the filter applied', async () => {
    const jsonl = await get('/admin/audit/export.jsonl?type=user.signed_up');
    assert.equal(jsonl.statusCode, 200);
    assert.match(String(jsonl.headers['content-type']), /^application\/jsonl/);
    const entries = jsonl.body.trimEnd().split('\n').map((line) => JSON.parse(line) as { event: string; email: string | null });
    assert.ok(entries.length >= 1);
    assert.ok(entries.every((e) => e.event === 'user.signed_up'));
  });
});
