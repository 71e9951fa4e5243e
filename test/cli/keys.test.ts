import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { cliEnv, makeTempDir, runCliOk, tableRows } from '../support/cli-process.ts';

describe('gatehouse keys', () => {
  const dir = makeTempDir('gatehouse-keys-');
  after(() => dir.remove());
  const env = cliEnv(dir.database);

  it('rotate: the first key signs at once; the next is published first and the old one keeps signing until then', async () => {
    assert.match(await runCliOk(['keys', 'list'], { env }), /no keys yet/);
    const first = await runCliOk(['keys', 'rotate'], { env });
    assert.match(first, /new key [A-Za-z0-9_-]{43}/);
    let rows = tableRows(await runCliOk(['keys', 'list'], { env }));
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.state, 'signing');
    assert.equal(rows[0]?.alg, 'ES256');

    const second = await runCliOk(['keys', 'rotate'], { env });
    assert.match(second, /stays in the JWKS until its last token has expired/);
    rows = tableRows(await runCliOk(['keys', 'list'], { env }));
    assert.equal(rows.length, 2);
    assert.deepEqual(rows.map((r) => r.state).sort(), ['published, signs later', 'signing']);
    const old = rows.find((r) => r.state === 'signing');
    assert.ok(old?.['signs until'] && old['leaves jwks'], 'the old key has a retirement and a removal time');
    assert.ok(Date.parse(old['leaves jwks'] as string) > Date.parse(old['signs until'] as string));
  });
});
