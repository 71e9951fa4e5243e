import proxyAddr from '@fastify/proxy-addr';
import { BlockList, isIP } from 'node:net';

/**
 * Which addresses an outgoing delivery may connect to (docs/security.md SEC-285). Webhook and
 * back-channel URLs are typed in by people: without this, a URL could make Gatehouse call its
 * own admin port, a cloud metadata service (169.254.169.254) or any host of the private
 * network. Everything that is not a public unicast address is refused unless the operator
 * lists its network (GATEHOUSE_DELIVERY_ALLOWED_NETWORKS: loopback, linklocal, uniquelocal, or
 * an IP or CIDR range).
 */
export interface AddressPolicy {
  /** Why `address` is refused, or null when it may be connected to. */
  refusal(address: string): string | null;
  isLoopback(address: string): boolean;
}

// Special-purpose IPv4 ranges (RFC 6890 and successors): none of them is a public host.
const nonPublicV4 = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const;

// Inside 2000::/3 (global unicast), the ranges that are not a host of their own: documentation,
// Teredo and 6to4 (both carry an IPv4 address that may be private), ORCHIDv2, NAT64.
const nonPublicV6InGlobal = [
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
] as const;

const blockedV4 = new BlockList();
for (const [network, bits] of nonPublicV4) blockedV4.addSubnet(network, bits, 'ipv4');
const globalV6 = new BlockList();
globalV6.addSubnet('2000::', 3, 'ipv6');
const blockedV6 = new BlockList();
for (const [network, bits] of nonPublicV6InGlobal) blockedV6.addSubnet(network, bits, 'ipv6');
const loopback = proxyAddr.compile(['loopback']);

/** `::ffff:10.0.0.1` is 10.0.0.1: the IPv4 rules apply to an IPv4-mapped IPv6 address. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped === null ? address : (mapped[1] as string);
}

function isPublic(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !blockedV4.check(address, 'ipv4');
  if (family === 6) return globalV6.check(address, 'ipv6') && !blockedV6.check(address, 'ipv6');
  return false;
}

export function createAddressPolicy(allowedNetworks: readonly string[]): AddressPolicy {
  const allowed = allowedNetworks.length === 0 ? () => false : proxyAddr.compile([...allowedNetworks]);
  return {
    refusal(raw) {
      const address = unmapped(raw);
      if (isIP(address) === 0) return 'not_an_ip_address';
      if (isPublic(address) || allowed(address, 0)) return null;
      return 'address_not_allowed';
    },
    isLoopback: (raw) => isIP(unmapped(raw)) !== 0 && loopback(unmapped(raw), 0),
  };
}
