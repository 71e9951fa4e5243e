import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTable } from '../../src/cli/table.ts';

describe('formatTable', () => {
  it('prints upper-case headers and aligned columns two spaces apart: no index column, no quotes, no trailing spaces', () => {
    const out = formatTable([
      { id: 'u1', email: 'ada@example.com', disabled: '' },
      { id: 'user-22', email: 'bo@example.com', disabled: '2026-12-06T03:00:00.000Z' },
    ]);
    assert.equal(
      out,
      ['ID       EMAIL            DISABLED', 'u1       ada@example.com  -', 'user-22  bo@example.com   2026-12-06T03:00:00.000Z', ''].join('\n'),
    );
    assert.doesNotMatch(out, /\(index\)|'|│/);
    for (const line of out.split('\n')) assert.equal(line, line.trimEnd());
  });

  it('aligns as printed, so an escaped non-ASCII address lines up; numbers and null print as text and -', () => {
    const out = formatTable([
      { email: 'zoë@example.com', n: 3 },
      { email: 'zoe@example.com', n: null },
    ]);
    const lines = out.split('\n');
    assert.equal(lines[1]!.indexOf('3'), lines[2]!.indexOf('-'));
    assert.ok(lines[1]!.startsWith('zo\\u00eb@example.com  3'), lines[1]);
  });

  // docs/security.md SEC-113: look-alike addresses never print the same to an operator.
  it('shows look-alike addresses apart: Cyrillic а, dotless ı, full-width letters, a faked escape (SEC-113)', () => {
    const lookAlikes = ['admin@example.com', '\u0430dmin@example.com', 'admın@example.com', '\uff41dmin@example.com', 'a\u200ddmin@example.com', '\\u0430dmin@example.com'];
    const printed = formatTable(lookAlikes.map((email) => ({ email }))).trimEnd().split('\n').slice(1);
    assert.equal(new Set(printed).size, lookAlikes.length, printed.join('\n'));
    assert.deepEqual(printed.slice(0, 3), ['admin@example.com', '\\u0430dmin@example.com', 'adm\\u0131n@example.com']);
    for (const line of printed) assert.match(line, /^[\x20-\x7e]+$/);
  });

  it('escapes control characters, so a value cannot break the line or move the cursor', () => {
    const out = formatTable([{ 'user agent': 'curl/8\n\u001b[2Jfake row\u2028x', ip: '::1' }]);
    assert.equal(out.split('\n').length, 3);
    assert.match(out, /curl\/8\\u000a\\u001b\[2Jfake row\\u2028x {2}::1/);
  });

  it('no rows: an empty string', () => {
    assert.equal(formatTable([]), '');
  });
});
