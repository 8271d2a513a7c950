import ipaddr from 'ipaddr.js';

/**
 * The key a client address is counted under: an IPv4 address as it is (also when it arrives
 * IPv4-mapped in IPv6), an IPv6 address by its /64, since one subscriber usually holds a whole
 * /64 and could otherwise change address per request.
 */
export function clientAddressKey(address: string | undefined): string {
  if (!address || !ipaddr.isValid(address)) return 'unknown';
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const prefix = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${prefix.join(':')}::/64`;
}
