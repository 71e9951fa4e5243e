// scratch: interleaved A/B of server CPU per request (not committed)
import { startChild, runLoad, detectPinning } from './lib/children.ts';
import { prepareGatehouse } from './lib/gatehouse-client.ts';
const pinning = detectPinning();
const rounds = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 4);
const variants = JSON.parse(process.argv[4] ?? '[{"name":"base","env":{}}]') as { name: string; env: Record<string, string>; script?: string }[];
const hello = await startChild({ name: 'hello', script: 'servers/hello.ts', core: pinning.serverCore });
const servers = [];
for (const v of variants) {
  const child = await startChild({ name: v.name, script: v.script ?? 'servers/gatehouse.ts', core: pinning.serverCore, env: { ...process.env, ...v.env } });
  const url = `http://127.0.0.1:${child.port}`;
  const prepared = await prepareGatehouse(url, 5, 24);
  servers.push({ v, child, url, prepared });
}
const measure = async (child: any, load: any) => {
  const b = await child.cpu();
  const s = await runLoad(pinning.loadCore, { ...load, durationSeconds: seconds });
  const a = await child.cpu();
  const cpu = (a.userMicros - b.userMicros + a.systemMicros - b.systemMicros);
  return { rps: s.okPerSecond, usPerReq: cpu / s.ok, non2xx: s.non2xx };
};
for (let r = 0; r < rounds; r++) {
  const h = await measure(hello, { url: `http://127.0.0.1:${hello.port}/`, connections: 50, method: 'GET', headers: {} });
  const line = [`hello ${h.rps.toFixed(0)}/s ${h.usPerReq.toFixed(1)}us`];
  for (const s of servers) {
    const m = await measure(s.child, { url: `${s.url}/v1/session`, connections: 50, method: 'GET', headers: { cookie: s.prepared.sessionCookie } });
    line.push(`${s.v.name} ${m.rps.toFixed(0)}/s ${m.usPerReq.toFixed(1)}us ratio ${(m.rps / h.rps).toFixed(3)} cpu-ratio ${(h.usPerReq / m.usPerReq).toFixed(3)}${m.non2xx ? ' NON2XX ' + m.non2xx : ''}`);
  }
  console.log(line.join(' | '));
}
await hello.stop();
for (const s of servers) await s.child.stop();
process.exit(0);
