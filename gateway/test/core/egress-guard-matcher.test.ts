// The egress guard's address matcher, table-driven: which addresses the default list and a list
// denying loopback refuse, whatever the spelling, and what the resolver path tells the caller.
import { describe, expect, it } from '@jest/globals';
import { UpstreamFailure } from '../../src/errors/upstream-failure.js';
import {
  createEgressGuard,
  DEFAULT_DENIED_UPSTREAM_CIDRS,
  deniedLiteralAddress,
  EgressDeniedError,
  parseCidrList,
} from '../../src/transport/egress-guard.js';
import { classifyTransportError } from '../../src/transport/transport-errors.js';

const defaults = createEgressGuard(parseCidrList(DEFAULT_DENIED_UPSTREAM_CIDRS));
const loopbackV4 = createEgressGuard(['127.0.0.0/8']);
const loopbackV6 = createEgressGuard(['::1/128']);
const nothing = createEgressGuard([]);

describe('egress guard matcher', () => {
  it.each([
    // address, denied by default, reason
    ['169.254.169.254', true, 'AWS, GCP, Azure, Oracle, DigitalOcean IMDS (link-local)'],
    ['169.254.170.2', true, 'ECS task metadata (link-local)'],
    ['169.254.170.23', true, 'EKS Pod Identity agent (link-local)'],
    ['169.254.0.23', true, 'Tencent Cloud metadata (link-local)'],
    ['169.254.42.42', true, 'Scaleway metadata (link-local)'],
    ['fe80::a9fe:a9fe', true, 'OpenStack IPv6 metadata (link-local)'],
    ['fe80::1%eth0', true, 'link-local with a zone id'],
    ['fd00:ec2::254', true, 'AWS IMDS over IPv6'],
    ['FD00:EC2:0:0:0:0:0:254', true, 'AWS IMDS over IPv6, long upper-case spelling'],
    ['fd00:ec2::23', true, 'EKS Pod Identity agent over IPv6'],
    ['fd20:ce::254', true, 'GCP metadata over IPv6'],
    ['fd00:c1::a9fe:a9fe', true, 'Oracle IMDS over IPv6'],
    ['192.0.0.192', true, 'Oracle Cloud at Customer metadata'],
    ['100.100.100.200', true, 'Alibaba Cloud metadata'],
    ['168.63.129.16', true, 'Azure WireServer'],
    ['fd00:42::42', true, 'Scaleway metadata over IPv6'],
    ['fd00:a9fe:a9fe::1', true, 'Akamai / Linode metadata over IPv6'],
    ['::ffff:169.254.169.254', true, 'IPv4-mapped, dotted'],
    ['::ffff:a9fe:a9fe', true, 'IPv4-mapped, hex (as URL parsing writes it)'],
    ['::ffff:0:a9fe:a9fe', true, 'IPv4-translated'],
    ['::a9fe:a9fe', true, 'IPv4-compatible'],
    ['64:ff9b::a9fe:a9fe', true, 'NAT64 well-known prefix'],
    ['::ffff:100.100.100.200', true, 'IPv4-mapped Alibaba'],
    ['8.8.8.8', false, 'a public address'],
    ['100.100.100.201', false, 'next to Alibaba, shared address space'],
    ['168.63.129.17', false, 'next to the WireServer'],
    ['2001:4860:4860::8888', false, 'a public IPv6 address'],
    ['fd00:ec3::254', false, 'a ULA outside the AWS block'],
    ['127.0.0.1', false, 'loopback is not denied by default'],
    ['0.0.0.0', false, 'nor what reaches it'],
    ['::', false, 'nor the IPv6 unspecified address'],
  ])('%s is denied by default: %s (%s)', (address, denied) => {
    expect(defaults.isDenied(address)).toBe(denied);
  });

  it.each([
    // address, denied with 127.0.0.0/8, denied with ::1/128
    ['127.0.0.1', true, false],
    ['127.255.255.254', true, false],
    ['0.0.0.0', true, false],
    ['0.1.2.3', true, false],
    ['::ffff:7f00:1', true, false],
    ['::ffff:127.0.0.1', true, false],
    ['::ffff:0:0', true, false],
    ['::ffff:0.0.0.0', true, false],
    ['64:ff9b::7f00:1', true, false],
    ['::1', false, true],
    ['::', false, true],
    ['0:0:0:0:0:0:0:0', false, true],
    ['10.0.0.1', false, false],
    ['::2', false, false],
    ['not-an-address', false, false],
  ])('%s: denied with 127.0.0.0/8 %s, with ::1/128 %s', (address, byV4, byV6) => {
    expect(loopbackV4.isDenied(address)).toBe(byV4);
    expect(loopbackV6.isDenied(address)).toBe(byV6);
    expect(nothing.isDenied(address)).toBe(false);
  });

  it.each([
    ['0.0.0.0', '0.0.0.0'],
    ['[::ffff:7f00:1]', '::ffff:7f00:1'],
    ['127.0.0.1', '127.0.0.1'],
    ['localhost', undefined],
    ['10.0.0.1', undefined],
  ])('checks the literal host %s directly', (hostname, expected) => {
    expect(deniedLiteralAddress(loopbackV4, hostname)).toBe(expected);
  });

  it('URL spellings of 0.0.0.0 reach the matcher as 0.0.0.0', () => {
    for (const spelling of ['0', '0x0', '0.0', '00.0.0.0']) {
      const hostname = new URL(`http://${spelling}:8080/v1`).hostname;
      expect(deniedLiteralAddress(loopbackV4, hostname)).toBe('0.0.0.0');
    }
  });

  it('refuses a name whose any address is denied, in the lookup the socket uses', async () => {
    const error = await new Promise<unknown>((resolve) => loopbackV4.lookup('localhost', {}, (failure) => resolve(failure)));
    expect(error).toBeInstanceOf(EgressDeniedError);
  });

  it('tells the caller only that the backend was refused; the address stays in the cause', () => {
    const failure = classifyTransportError(new EgressDeniedError('metadata.internal', '169.254.169.254'), {
      connectMs: 1,
      firstByteMs: 1,
      streamIdleMs: 1,
    });
    expect(failure).toBeInstanceOf(UpstreamFailure);
    expect(failure.kind).toBe('Other');
    expect(failure.message).toContain('refused by the egress guard');
    expect(failure.message).not.toMatch(/169\.254|metadata\.internal/);
    expect((failure.cause as Error).message).toContain('169.254.169.254');
  });

  it('lists only valid CIDRs', () => {
    expect(parseCidrList(DEFAULT_DENIED_UPSTREAM_CIDRS).length).toBeGreaterThan(5);
    expect(() => parseCidrList('10.0.0.0/99')).toThrow(/invalid CIDR/);
    expect(parseCidrList('')).toEqual([]);
  });
});
