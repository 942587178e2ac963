// Refuses upstream connections to denied address ranges (by default link-local and the cloud
// metadata and platform addresses listed below). The check runs on the addresses the socket will
// really connect to, inside the DNS lookup the socket uses, so a name that re-resolves between
// check and connect (DNS rebinding) cannot slip through. An address is judged by what it reaches,
// not by how it is spelt: the unspecified addresses reach the host itself and an IPv6 address that
// embeds an IPv4 one reaches that IPv4 address (see `reachedAddresses`).
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * The cloud instance-metadata and platform endpoints, each with the public document that names
 * it. Everything a metadata service hands out (instance credentials, tokens, user data) is what a
 * backend URL pointed at it would leak, so these are denied unless the operator says otherwise.
 * Many clouds serve metadata at 169.254.169.254 and are covered by the link-local range: AWS,
 * GCP, Azure, Oracle, DigitalOcean, Hetzner, IBM Cloud, Huawei Cloud, OpenStack
 * (https://docs.openstack.org/nova/latest/user/metadata.html), Tencent Cloud (169.254.0.23),
 * AWS ECS task metadata (169.254.170.2) and EKS Pod Identity (169.254.170.23). The rest:
 */
const CLOUD_METADATA_CIDRS = [
  // Link-local IPv4: 169.254.169.254 and the others above (RFC 3927).
  '169.254.0.0/16',
  // Link-local IPv6: OpenStack's fe80::a9fe:a9fe (RFC 4291 section 2.5.6;
  // https://specs.openstack.org/openstack/neutron-specs/specs/ussuri/metadata-add-ipv6-support.html).
  'fe80::/10',
  // AWS's IPv6 service block: IMDS fd00:ec2::254
  // (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html), the EKS
  // Pod Identity agent fd00:ec2::23 (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html),
  // the Route 53 resolver fd00:ec2::253 and time sync fd00:ec2::123.
  'fd00:ec2::/32',
  // Google Compute Engine's metadata server over IPv6
  // (https://cloud.google.com/compute/docs/metadata/querying-metadata).
  'fd20:ce::254/128',
  // Oracle Cloud Infrastructure's IMDS over IPv6 (the endpoint of Oracle's own SDK:
  // https://github.com/oracle/oci-python-sdk/blob/master/src/oci/auth/signers/instance_principals_security_token_signer.py).
  'fd00:c1::a9fe:a9fe/128',
  // Oracle Cloud at Customer / Classic metadata
  // (https://docs.oracle.com/en/cloud/cloud-at-customer/occ-get-started/retrieve-predefined-instance-metadata.html).
  '192.0.0.192/32',
  // Alibaba Cloud ECS metadata (https://www.alibabacloud.com/help/en/ecs/user-guide/view-instance-metadata).
  '100.100.100.200/32',
  // Azure's WireServer, the host's platform channel (VM agent, extensions, certificates)
  // (https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16).
  '168.63.129.16/32',
  // Scaleway's metadata API over IPv6; over IPv4 it is 169.254.42.42, link-local
  // (https://www.scaleway.com/en/developers/api/instance/user-data).
  'fd00:42::42/128',
  // Akamai / Linode metadata over IPv6 (https://docs.cloud-init.io/en/latest/reference/datasources/akamai.html).
  'fd00:a9fe:a9fe::1/128',
];

/** The default of --deny-upstream-cidrs (and of the chart's gateway.denyUpstreamCidrs). */
export const DEFAULT_DENIED_UPSTREAM_CIDRS = CLOUD_METADATA_CIDRS.join(',');

/** What the caller is told: the backend was refused, never which address it resolved to. */
export const EGRESS_REFUSED_MESSAGE = 'backend refused by the egress guard (its address is in --deny-upstream-cidrs)';

export class EgressDeniedError extends Error {
  readonly code = 'SWITCHYARD_EGRESS_DENIED';
  /**
   * The message names the host and the address: it is meant for the gateway's own log line
   * (`egressLogDetail`). Callers get EGRESS_REFUSED_MESSAGE instead (transport-errors.ts).
   */
  constructor(
    readonly hostname: string,
    readonly address: string,
  ) {
    super(`upstream ${hostname} resolves to ${address}, which --deny-upstream-cidrs refuses`);
    this.name = 'EgressDeniedError';
  }
}

/** The log-only detail of a refusal found anywhere in an error's cause chain; undefined when there is none. */
export function egressLogDetail(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (current instanceof EgressDeniedError) return current.message;
  }
  return undefined;
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

type Reached = { address: string; family: 'ipv4' | 'ipv6' };

/**
 * Every address a connection to `address` may end up at, itself first. An address is denied when
 * any of them is, so no spelling reaches a denied service:
 * - the unspecified addresses are delivered by Linux to the host itself: 0.0.0.0 (and the rest
 *   of 0.0.0.0/8; `0`, `0x0`, `0.0` are URL spellings of 0.0.0.0) counts as 127.0.0.1, `::` as ::1;
 * - IPv6 addresses that carry an IPv4 address (IPv4-mapped ::ffff:a.b.c.d in either spelling,
 *   IPv4-translated ::ffff:0:a.b.c.d, IPv4-compatible ::a.b.c.d, and NAT64's well-known prefix
 *   64:ff9b::/96, RFC 6052) count as that IPv4 address too.
 */
function reachedAddresses(address: string): Reached[] {
  const bare = address.replace(/%.*$/, ''); // a zone id (fe80::1%eth0) names an interface, not a host
  const family = isIP(bare);
  if (family === 4) {
    const reached: Reached[] = [{ address: bare, family: 'ipv4' }];
    if (bare.startsWith('0.')) reached.push({ address: '127.0.0.1', family: 'ipv4' });
    return reached;
  }
  if (family !== 6) return [];
  const reached: Reached[] = [{ address: bare, family: 'ipv6' }];
  const groups = ipv6Groups(bare);
  if (groups === undefined) return reached;
  const embedded = embeddedIPv4(groups);
  if (groups.every((group) => group === 0)) reached.push({ address: '::1', family: 'ipv6' });
  if (embedded !== undefined) reached.push(...reachedAddresses(embedded));
  return reached;
}

function embeddedIPv4(groups: readonly number[]): string | undefined {
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = groups;
  const zeroTo = (end: number): boolean => groups.slice(0, end).every((group) => group === 0);
  const carries =
    (zeroTo(5) && g5 === 0xffff) || // ::ffff:a.b.c.d
    (zeroTo(4) && g4 === 0xffff && g5 === 0) || // ::ffff:0:a.b.c.d
    (zeroTo(6) && g6 !== 0) || // ::a.b.c.d (not :: or ::1, RFC 4291 section 2.5.5.1)
    (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0); // 64:ff9b::a.b.c.d
  return carries ? `${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.${g7 & 0xff}` : undefined;
}

/** The eight 16-bit groups of a valid IPv6 address (isIP already said so), a trailing dotted quad included. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16)));
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  const groups = tail === undefined ? front : [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  return groups.length === 8 && groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : undefined;
}

export function createEgressGuard(cidrs: readonly string[]): EgressGuard {
  const blockList = new BlockList();
  for (const cidr of cidrs) {
    const { network, prefix, family } = parseCidr(cidr);
    blockList.addSubnet(network, prefix, family);
  }
  const isDenied = (address: string): boolean =>
    reachedAddresses(address).some((reached) => blockList.check(reached.address, reached.family));
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
