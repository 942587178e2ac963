// One test host per Pod: a network namespace joined to a bridge in the root namespace by a veth
// pair, with an address in 10.244.0.0/24, a range that exists only on these test hosts. The
// root namespace holds 10.244.0.1 on the bridge, so tests reach pods directly and pods reach the
// harness's forwarder to the API server. Everything is named `sy-e2e-*` so leftovers of a
// crashed run are found and swept.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../run-command.js';

export const NAME_PREFIX = 'sy-e2e-';
const BRIDGE = `${NAME_PREFIX}br0`;
const SUBNET_PREFIX = '10.244.0.';
export const HOST_ADDRESS = `${SUBNET_PREFIX}1`;
const NETNS_ETC = '/etc/netns';

async function ip(args: string[]): Promise<void> {
  const result = await runCommand('ip', args, { timeoutMs: 15_000 });
  if (result.code !== 0) throw new Error(`ip ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`);
}

/** Whether this machine lets us create network namespaces (root, iproute2, kernel support). */
export async function networkNamespacesWork(): Promise<{ ok: true } | { ok: false; reason: string }> {
  const probe = `${NAME_PREFIX}probe`;
  const add = await runCommand('ip', ['netns', 'add', probe], { timeoutMs: 10_000 });
  if (add.code !== 0) return { ok: false, reason: `ip netns add failed: ${add.stderr.trim() || `exit ${add.code}`}` };
  await runCommand('ip', ['netns', 'del', probe], { timeoutMs: 10_000 });
  return { ok: true };
}

/** Deletes every sy-e2e-* namespace, their /etc/netns files and the bridge (leftovers of a crash). */
export async function sweepPodNetwork(): Promise<string[]> {
  const swept: string[] = [];
  const list = await runCommand('ip', ['netns', 'list'], { timeoutMs: 10_000 });
  for (const line of list.stdout.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    if (!name.startsWith(NAME_PREFIX)) continue;
    await runCommand('ip', ['netns', 'del', name], { timeoutMs: 10_000 });
    swept.push(name);
  }
  try {
    for (const entry of readdirSync(NETNS_ETC))
      if (entry.startsWith(NAME_PREFIX)) rmSync(join(NETNS_ETC, entry), { recursive: true, force: true });
  } catch {
    // No /etc/netns at all.
  }
  const links = await runCommand('ip', ['-o', 'link', 'show'], { timeoutMs: 10_000 });
  for (const match of links.stdout.matchAll(/^\d+: (sy-e2e-[^:@\s]+)/gm)) {
    await runCommand('ip', ['link', 'del', match[1]!], { timeoutMs: 10_000 });
    swept.push(match[1]!);
  }
  return swept;
}

export async function createBridge(): Promise<void> {
  await ip(['link', 'add', BRIDGE, 'type', 'bridge']);
  await ip(['addr', 'add', `${HOST_ADDRESS}/24`, 'dev', BRIDGE]);
  await ip(['link', 'set', BRIDGE, 'up']);
}

export async function deleteBridge(): Promise<void> {
  await runCommand('ip', ['link', 'del', BRIDGE], { timeoutMs: 10_000 });
}

export interface PodHost {
  netns: string;
  address: string;
}

/** Creates namespace sy-e2e-<octet> with eth0 = 10.244.0.<octet>/24, default route via the bridge. */
export async function createPodHost(octet: number, hosts: Record<string, string>): Promise<PodHost> {
  if (!Number.isInteger(octet) || octet < 2 || octet > 254) throw new Error(`pod host octet ${octet} outside 2-254`);
  const netns = `${NAME_PREFIX}${octet}`;
  const veth = `${NAME_PREFIX}v${octet}`;
  const address = `${SUBNET_PREFIX}${octet}`;
  writePodHostsFile(netns, address, hosts);
  await ip(['netns', 'add', netns]);
  try {
    await ip(['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
    await ip(['link', 'set', veth, 'master', BRIDGE, 'up']);
    await ip(['-n', netns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
    await ip(['-n', netns, 'link', 'set', 'eth0', 'up']);
    await ip(['-n', netns, 'link', 'set', 'lo', 'up']);
    await ip(['-n', netns, 'route', 'add', 'default', 'via', HOST_ADDRESS]);
  } catch (error) {
    await deletePodHost({ netns, address });
    throw error;
  }
  return { netns, address };
}

/**
 * `ip netns exec` bind-mounts /etc/netns/<ns>/hosts over /etc/hosts for the process it starts:
 * the stand-in for cluster DNS (Service names resolve to a ready endpoint's address).
 */
export function writePodHostsFile(netns: string, address: string, hosts: Record<string, string>): void {
  const dir = join(NETNS_ETC, netns);
  mkdirSync(dir, { recursive: true });
  const lines = ['127.0.0.1 localhost', `${address} ${netns}`, ...Object.entries(hosts).map(([name, target]) => `${target} ${name}`)];
  writeFileSync(join(dir, 'hosts'), `${lines.join('\n')}\n`);
}

export async function deletePodHost(host: PodHost): Promise<void> {
  // Deleting the namespace deletes eth0 and with it the veth peer in the root namespace.
  await runCommand('ip', ['netns', 'del', host.netns], { timeoutMs: 10_000 });
  rmSync(join(NETNS_ETC, host.netns), { recursive: true, force: true });
}
