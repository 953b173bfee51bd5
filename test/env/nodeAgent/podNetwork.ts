// Pod networking for the local host, as a node's CNI gives it: one Linux bridge per host cluster
// carrying the pod CIDR kwok allocates pod IPs from, and for each vCluster pod a network namespace
// with a veth on that bridge holding the pod's IP. The machine reaches every pod IP; nothing is
// routed beyond it (no default route to the bridge from outside, IP forwarding is left as it is).
//
// Names are derived from the cluster's work dir and name, so two local hosts at once (two test
// runs) never share a bridge, a namespace or an address range.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../../../src/process/run';
import { SetupError } from '../goBuild';
import { clusterDir, kwokWorkdir } from '../paths';

/** The second octet of the /16 pod ranges we may take: 10.200.0.0/16 … 10.249.0.0/16. */
const FIRST_OCTET = 200;
const LAST_OCTET = 249;

export interface PodNetwork {
  cluster: string;
  /** The pod range kwok allocates from, e.g. 10.203.0.0/16. */
  cidr: string;
  /** The bridge's own address: the pods' gateway and where they reach the host API server. */
  gateway: string;
  bridge: string;
}

function clusterHash(cluster: string): string {
  return createHash('sha256').update(`${kwokWorkdir()}\0${cluster}`).digest('hex').slice(0, 8);
}

export function bridgeName(cluster: string): string {
  // IFNAMSIZ: at most 15 characters.
  return `vcb${clusterHash(cluster)}`;
}

/** Prefix of the network namespaces of one cluster's pods (`ip netns list`). */
export function netnsPrefix(cluster: string): string {
  return `vcvs-${clusterHash(cluster)}-`;
}

export function podNetnsName(cluster: string, podUid: string): string {
  return `${netnsPrefix(cluster)}${podUid.replace(/[^a-f0-9]/g, '').slice(0, 12)}`;
}

function hostVethName(cluster: string, podUid: string): string {
  return `vcv${createHash('sha256').update(`${clusterHash(cluster)}\0${podUid}`).digest('hex').slice(0, 12)}`;
}

function claimsDir(): string {
  return join(kwokWorkdir(), 'networks');
}

function networkFor(cluster: string, octet: number): PodNetwork {
  return { cluster, cidr: `10.${octet}.0.0/16`, gateway: `10.${octet}.255.254`, bridge: bridgeName(cluster) };
}

/** The network a cluster claimed, if it did. */
export function claimedNetwork(cluster: string): PodNetwork | undefined {
  if (!existsSync(claimsDir())) return undefined;
  for (const file of readdirSync(claimsDir())) {
    try {
      if (readFileSync(join(claimsDir(), file), 'utf8').trim() === cluster) return networkFor(cluster, Number(file));
    } catch {
      // removed meanwhile
    }
  }
  return undefined;
}

/** Second octets of 10.x.0.0/16 ranges the machine already routes somewhere (another bridge, a VPN). */
function routedOctets(): Set<number> {
  const used = new Set<number>();
  try {
    const routes = JSON.parse(execFileSync('ip', ['-j', 'route', 'show'], { encoding: 'utf8' })) as Array<{ dst?: string; dev?: string }>;
    for (const route of routes) {
      const match = /^10\.(\d+)\./.exec(route.dst ?? '');
      if (match) used.add(Number(match[1]));
      // A route to all of 10/8 (or wider than a /16) overlaps every candidate.
      if (/^10\.0\.0\.0\/[0-8]$/.test(route.dst ?? '')) for (let octet = FIRST_OCTET; octet <= LAST_OCTET; octet++) used.add(octet);
    }
  } catch {
    // no `ip -j`: the claim files still keep our own clusters apart
  }
  return used;
}

/**
 * Claims a free /16 for a cluster (again the same one if it already has one). A claim is a file
 * created exclusively, so two hosts starting at once never take the same range; a claim whose
 * cluster folder is gone is stale and is taken over.
 */
export function claimNetwork(cluster: string): PodNetwork {
  const existing = claimedNetwork(cluster);
  if (existing) return existing;
  mkdirSync(claimsDir(), { recursive: true });
  const routed = routedOctets();
  for (let octet = FIRST_OCTET; octet <= LAST_OCTET; octet++) {
    if (routed.has(octet) && !existsSync(join(claimsDir(), String(octet)))) continue;
    const file = join(claimsDir(), String(octet));
    try {
      writeFileSync(file, `${cluster}\n`, { flag: 'wx' });
      return networkFor(cluster, octet);
    } catch {
      const owner = readFileSync(file, 'utf8').trim();
      if (owner && !existsSync(clusterDir(owner)) && !existsSync(join(kwokWorkdir(), `kwokctl-${owner}.yaml`))) {
        // Stale: its cluster is gone (a crash before `down`). Free what it left, then take it.
        removeClusterNetworkNow(owner);
        try {
          writeFileSync(file, `${cluster}\n`, { flag: 'wx' });
          return networkFor(cluster, octet);
        } catch {
          // someone else was faster
        }
      }
    }
  }
  throw new SetupError(`No free pod address range for the local host: 10.${FIRST_OCTET}.0.0/16 to 10.${LAST_OCTET}.0.0/16 are all routed on this machine or claimed by other local hosts (${claimsDir()}). Stop other local hosts (npm run cluster:down) or free one of those ranges.`);
}

async function ip(args: string[]): Promise<void> {
  await runProcess('ip', args, { timeoutMs: 10_000 });
}

function linkExists(name: string): boolean {
  try {
    execFileSync('ip', ['link', 'show', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The bridge, up, holding the gateway address; idempotent. */
export async function ensureBridge(network: PodNetwork): Promise<void> {
  if (!linkExists(network.bridge)) await ip(['link', 'add', network.bridge, 'type', 'bridge']);
  const addresses = execFileSync('ip', ['-o', '-4', 'addr', 'show', 'dev', network.bridge], { encoding: 'utf8' });
  if (!addresses.includes(`${network.gateway}/16`)) await ip(['addr', 'add', `${network.gateway}/16`, 'dev', network.bridge]);
  await ip(['link', 'set', network.bridge, 'up']);
}

export interface PodSandboxNetwork {
  netns: string;
  podIp: string;
}

/**
 * A network namespace for one pod: loopback up, and eth0 (one end of a veth whose other end is on
 * the bridge) with the pod's IP and a default route through the gateway. Recreated from scratch
 * when it exists (a pod IP can change between runs of the same uid only if kwok reallocates).
 */
export async function addPodNetwork(network: PodNetwork, podUid: string, podIp: string): Promise<PodSandboxNetwork> {
  const netns = podNetnsName(network.cluster, podUid);
  await removePodNetwork(network.cluster, podUid);
  const veth = hostVethName(network.cluster, podUid);
  await ip(['netns', 'add', netns]);
  try {
    await ip(['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
    await ip(['link', 'set', veth, 'master', network.bridge, 'up']);
    await ip(['-n', netns, 'addr', 'add', `${podIp}/16`, 'dev', 'eth0']);
    await ip(['-n', netns, 'link', 'set', 'eth0', 'up']);
    await ip(['-n', netns, 'link', 'set', 'lo', 'up']);
    await ip(['-n', netns, 'route', 'add', 'default', 'via', network.gateway]);
  } catch (error) {
    await removePodNetwork(network.cluster, podUid);
    throw error;
  }
  return { netns, podIp };
}

/** Deletes a pod's namespace; its veth goes with it. Safe when it is gone. */
export async function removePodNetwork(cluster: string, podUid: string): Promise<void> {
  const netns = podNetnsName(cluster, podUid);
  if (existsSync(join('/run/netns', netns))) await ip(['netns', 'delete', netns]).catch(() => undefined);
  const veth = hostVethName(cluster, podUid);
  if (linkExists(veth)) await ip(['link', 'delete', veth]).catch(() => undefined);
}

/** Namespaces of a cluster's pods that exist now. */
export function podNetnsNames(cluster: string): string[] {
  return existsSync('/run/netns') ? readdirSync('/run/netns').filter((name) => name.startsWith(netnsPrefix(cluster))) : [];
}

/**
 * Everything network of one cluster, synchronously (exit handlers, `down` after a crash): every
 * pod namespace, the bridge, the claim. Safe when nothing is there.
 */
export function removeClusterNetworkNow(cluster: string): void {
  for (const netns of podNetnsNames(cluster)) {
    try {
      execFileSync('ip', ['netns', 'delete', netns], { stdio: 'ignore' });
    } catch {
      // gone meanwhile
    }
  }
  if (linkExists(bridgeName(cluster))) {
    try {
      execFileSync('ip', ['link', 'delete', bridgeName(cluster)], { stdio: 'ignore' });
    } catch {
      // gone meanwhile
    }
  }
  const claim = claimedNetwork(cluster);
  if (claim) rmSync(join(claimsDir(), claim.cidr.split('.')[1]!), { force: true });
}
