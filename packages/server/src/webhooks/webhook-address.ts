import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where a webhook may be sent (SPEC 2d): an http(s) URL whose host resolves only to public
 * unicast addresses. Loopback, private, link-local (the cloud metadata service, 169.254.169.254,
 * is one), unique-local, carrier-grade NAT, multicast, reserved and unspecified addresses are
 * refused unless private addresses are allowed. The check is made on the resolved addresses at
 * creation, and again at each delivery on the very address the connection uses (so a name that
 * later resolves elsewhere cannot reach inside).
 */
export class RefusedAddressError extends Error {
  override name = 'RefusedAddressError';
}

/** A URL's syntax and scheme; the message says what is wrong, or null when it is acceptable. */
export function urlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'url must be an absolute http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return 'url must start with http:// or https://';
  }
  if (url.username || url.password) return 'url must not hold credentials';
  if (!url.hostname) return 'url must name a host';
  return null;
}

/** Whether `address` (an IP address) is one that webhooks may reach without the private opt-in. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  // process() reads an IPv4-mapped IPv6 address (::ffff:127.0.0.1) as the IPv4 one it carries.
  return ipaddr.process(address).range() === 'unicast';
}

/** The URL's host without the brackets of an IPv6 literal. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Resolves the URL's host and throws RefusedAddressError when any of its addresses is not public
 * (unless `allowPrivate`), or when it does not resolve within `timeoutMs`.
 */
export async function assertReachable(
  url: URL,
  allowPrivate: boolean,
  timeoutMs: number,
): Promise<void> {
  const host = hostOf(url);
  let addresses: string[];
  if (isIP(host)) {
    addresses = [host];
  } else {
    let timer: NodeJS.Timeout | undefined;
    try {
      const resolved = lookup(host, { all: true });
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      });
      addresses = (await Promise.race([resolved, late])).map((entry) => entry.address);
    } catch {
      throw new RefusedAddressError(`url host ${host} does not resolve`);
    } finally {
      clearTimeout(timer);
    }
  }
  if (allowPrivate) return;
  const refused = addresses.find((address) => !isPublicAddress(address));
  if (refused !== undefined) {
    throw new RefusedAddressError(
      `url host ${host} resolves to ${refused}, a loopback, private, link-local or reserved address`,
    );
  }
}
