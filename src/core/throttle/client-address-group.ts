import { isIP } from 'node:net';

/**
 * The group a client address is counted in by per-IP limits (docs/security.md SEC-111). One
 * IPv6 user or network usually holds a whole /64 (a home or cloud prefix hands out 2^64
 * addresses), so counting each address apart would let one attacker rotate through fresh
 * counters forever: IPv6 addresses are grouped by their /64. An IPv4-mapped IPv6 address
 * (`::ffff:192.0.2.1`, what a dual-stack socket reports) is the IPv4 address it maps.
 *
 * @example
 * clientAddressGroup('2001:db8:1:2:aaaa::1'); // '2001:db8:1:2::/64'
 * clientAddressGroup('::ffff:192.0.2.1');     // '192.0.2.1'
 */
export function clientAddressGroup(address: string): string {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const zoneless = bare.split('%')[0] ?? bare;
  if (isIP(zoneless) !== 6) return address;
  const mapped = /^(?:0{0,4}:){0,4}:?(?:0{0,4}:)?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(zoneless);
  if (mapped?.[1] !== undefined && isIP(mapped[1]) === 4) return mapped[1];
  const hextets = expandIpv6(zoneless);
  if (hextets[0] === '0000' && hextets[1] === '0000' && hextets[2] === '0000' && hextets[3] === '0000' && hextets[4] === '0000' && hextets[5] === 'ffff') {
    const n = parseInt(hextets[6] ?? '0', 16) * 65536 + parseInt(hextets[7] ?? '0', 16);
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
  return `${hextets.slice(0, 4).map((h) => h.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** The eight hextets of a valid IPv6 address, four hex digits each (an embedded IPv4 tail converted). */
function expandIpv6(address: string): string[] {
  let text = address.toLowerCase();
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (v4?.[1] !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = v4[1].split('.').map(Number);
    text = `${text.slice(0, -v4[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const middle = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((h) => h.padStart(4, '0'));
}
