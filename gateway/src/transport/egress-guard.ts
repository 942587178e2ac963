// Refuses upstream connections to denied address ranges (by default link-local, where cloud
// metadata services live). The check runs on the addresses the socket will really connect to,
// inside the DNS lookup the socket uses, so a name that re-resolves between check and connect
// (DNS rebinding) cannot slip through.
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

export const DEFAULT_DENIED_UPSTREAM_CIDRS = '169.254.0.0/16,fe80::/10';

export class EgressDeniedError extends Error {
  readonly code = 'SWITCHYARD_EGRESS_DENIED';
  constructor(
    readonly hostname: string,
    readonly address: string,
  ) {
    super(`upstream ${hostname} resolves to ${address}, which --deny-upstream-cidrs refuses`);
    this.name = 'EgressDeniedError';
  }
}

export interface EgressGuard {
  /** The CIDRs as given, for logs. */
  readonly cidrs: readonly string[];
  isDenied(address: string): boolean;
  /** A `lookup` for net/tls.connect that fails with EgressDeniedError on a denied address. */
  readonly lookup: GuardedLookup;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type GuardedLookup = (
  hostname: string,
  options: { all?: boolean; family?: number | string; hints?: number },
  callback: LookupCallback,
) => void;

/** Parses a comma list such as `169.254.0.0/16,fe80::/10`; an empty string denies nothing. */
export function parseCidrList(text: string): string[] {
  const cidrs = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  for (const cidr of cidrs) parseCidr(cidr);
  return cidrs;
}

function parseCidr(cidr: string): { network: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  const network = match?.[1] ?? '';
  const family = isIP(network);
  const prefix = Number(match?.[2]);
  if (!match || family === 0 || prefix > (family === 4 ? 32 : 128)) {
    throw new Error(`invalid CIDR "${cidr}" (expected e.g. 169.254.0.0/16 or fe80::/10)`);
  }
  return { network, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}

export function createEgressGuard(cidrs: readonly string[]): EgressGuard {
  const blockList = new BlockList();
  for (const cidr of cidrs) {
    const { network, prefix, family } = parseCidr(cidr);
    blockList.addSubnet(network, prefix, family);
  }
  const isDenied = (address: string): boolean => {
    const family = isIP(address);
    if (family === 4) return blockList.check(address, 'ipv4');
    if (family !== 6) return false;
    if (blockList.check(address, 'ipv6')) return true;
    // IPv4-mapped IPv6 (::ffff:169.254.169.254) reaches the IPv4 address.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    return mapped?.[1] !== undefined && blockList.check(mapped[1], 'ipv4');
  };
  const lookup: GuardedLookup = (hostname, options, callback) => {
    const allOptions: LookupAllOptions = { all: true };
    if (typeof options.family === 'number') allOptions.family = options.family;
    if (options.hints !== undefined) allOptions.hints = options.hints;
    dnsLookup(hostname, allOptions, (error, addresses) => {
      if (error) return callback(error, []);
      const denied = addresses.find((entry) => isDenied(entry.address));
      if (denied) return callback(new EgressDeniedError(hostname, denied.address) as NodeJS.ErrnoException, []);
      if (options.all) return callback(null, addresses);
      const firstAddress = addresses[0];
      if (!firstAddress) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      callback(null, firstAddress.address, firstAddress.family);
    });
  };
  return { cidrs: [...cidrs], isDenied, lookup };
}

/** An IP literal host never goes through DNS lookup, so it is checked directly. */
export function deniedLiteralAddress(guard: EgressGuard, hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) !== 0 && guard.isDenied(bare) ? bare : undefined;
}
