// The local host's node agent with the real vcluster CLI, chart (its defaults), helm and syncer:
// several vClusters at once, each in its own network namespace at its kwok pod IP; the CLI's own
// `vcluster connect` through the API server's port-forward; pause, resume and delete as the CLI
// does them; a second local host beside this one; the agent SIGKILLed and cleaned up after.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../src/kube/client';
import { runProcess } from '../../src/process/run';
import { cachedHostBinaries, ensureHostBinaries } from '../env/hostBinaries';
import { downHostCluster, findProcesses, isAlive, upHostCluster } from '../env/hostCluster';
import { agentDir, readAgentState, runningAgentPid, startNodeAgent, volumesDir } from '../env/nodeAgent/control';
import { bridgeName, claimedNetwork, claimNetwork, netnsPrefix, removeClusterNetworkNow } from '../env/nodeAgent/podNetwork';
import { kwokWorkdir, syncersDir } from '../env/paths';
import { liveGroupMembers } from '../env/supervisor';
import { ensureVClusterBinaries, type VClusterBinaries } from '../env/vclusterBinaries';
import { podSyncerDir, removeVCluster, upVCluster, vclusterCli, waitForVirtualApi, type LocalVCluster, type VClusterCli } from '../env/vclusterFixture';
import { testHost, waitFor } from './support/host';

const NAMES = ['alpha', 'beta', 'gamma'];
const namespaceOf = (name: string) => `agent-${name}-${process.pid}`;

function clientsOf(kubeconfig: string): CoreV1Api {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfig);
  return config.makeApiClient(CoreV1Api);
}

/**
 * Whether the virtual API answers within 5 s. A paused pod's IP has no one behind it any more; a
 * connection there would wait for TCP's own give-up (minutes), so the wait is bounded here.
 */
async function answers(kubeconfig: string): Promise<boolean> {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfig);
  return new KubeClient(config).request('GET', '/api/v1/namespaces', {}, AbortSignal.timeout(5_000)).then(() => true, () => false);
}

function linkExists(name: string): boolean {
  return readFileSync('/proc/net/dev', 'utf8').split('\n').some((line) => line.trim().startsWith(`${name}:`));
}

describe('the node agent runs every vCluster pod\'s syncer on the local host', () => {
  let binaries: VClusterBinaries;
  let cli: VClusterCli;
  const vclusters = new Map<string, LocalVCluster>();

  before(async () => {
    binaries = await ensureVClusterBinaries();
    cli = vclusterCli(binaries, testHost().kubeconfig);
  });

  after(async () => {
    for (const name of NAMES) await removeVCluster(testHost(), namespaceOf(name), name).catch(() => undefined);
    cli?.dispose();
  });

  it('three vClusters made by the real CLI with the chart\'s defaults run at once, each at its own pod IP', async () => {
    const started = Date.now();
    const made = await Promise.all(NAMES.map((name) => upVCluster({ cluster: testHost(), vcluster: binaries, name, namespace: namespaceOf(name) })));
    console.log(`[node agent] 3 vClusters created and answering in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (const vcluster of made) vclusters.set(vcluster.name, vcluster);
    const ips = made.map((vcluster) => vcluster.podIp);
    assert.equal(new Set(ips).size, 3, `three pod IPs: ${ips.join(', ')}`);
    const cidr = claimedNetwork(testHost().name)!.cidr;
    for (const ip of ips) assert.ok(ip.startsWith(cidr.split('.').slice(0, 2).join('.') + '.'), `${ip} is in the host's pod range ${cidr}`);
    const answering = await Promise.all(made.map((vcluster) => answers(vcluster.kubeconfig)));
    assert.deepEqual(answering, [true, true, true], 'all three virtual API servers answer at the same time');
    for (const vcluster of made) {
      assert.ok(vcluster.syncer.state()?.state === 'running');
      assert.ok(liveGroupMembers(vcluster.syncer.pid).length >= 4, `${vcluster.name}: syncer, kine, kube-apiserver, controller-manager`);
    }
  });

  it('the real CLI\'s `vcluster connect NAME -- kubectl get ns` works for all three at the same time (port-forward: API server → kwok → pod IP)', async () => {
    const kubectlDir = join(cachedHostBinaries()!.kubectl, '..');
    const results = await Promise.all(NAMES.map((name) => cli.run(['connect', name, '--namespace', namespaceOf(name), '--background-proxy=false', '--', join(kubectlDir, 'kubectl'), 'get', 'namespaces', '-o', 'name'], 90_000)));
    for (const [index, result] of results.entries()) {
      assert.match(result.stdout, /namespace\/kube-system/, `${NAMES[index]} answered through the CLI's port-forward`);
      assert.doesNotMatch(result.stdout, new RegExp(namespaceOf(NAMES[index]!)), 'the virtual cluster, not the host');
    }
  });

  it('a pod created in each is synced to its host namespace under the syncer\'s name', async () => {
    for (const name of NAMES) {
      await clientsOf(vclusters.get(name)!.kubeconfig).createNamespacedPod({ namespace: 'default', body: {
        metadata: { name: 'probe' }, spec: { containers: [{ name: 'probe', image: 'busybox' }] },
      } });
    }
    const host = clientsOf(testHost().kubeconfig);
    for (const name of NAMES) {
      await waitFor(`${name}'s pod on the host`, 60_000, async () => host.readNamespacedPod({ namespace: namespaceOf(name), name: `probe-x-default-x-${name}` }).then(() => true, () => undefined), 500);
    }
  });

  it('pause (the CLI) stops its syncer and its API; resume brings it back with its data; the others never stop', async () => {
    const name = 'beta';
    const namespace = namespaceOf(name);
    const before = vclusters.get(name)!;
    await clientsOf(before.kubeconfig).createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'kept' }, data: { made: 'before the pause' } } });
    const pid = before.syncer.pid;
    await cli.run(['pause', name, '--namespace', namespace]);
    await waitFor('the syncer to be gone', 60_000, async () => (existsSync(podSyncerDir(testHost().name, namespace, name)) ? undefined : true), 250);
    assert.deepEqual(liveGroupMembers(pid), [], 'no process of the paused vCluster is left');
    assert.equal(await answers(before.kubeconfig), false, 'its API no longer answers');
    assert.equal(await answers(vclusters.get('alpha')!.kubeconfig), true, 'alpha still answers');
    await cli.run(['resume', name, '--namespace', namespace]);
    const { kubeconfig } = await waitForVirtualApi({ cluster: testHost(), name, namespace, timeoutMs: 120_000 });
    const kept = await clientsOf(kubeconfig).readNamespacedConfigMap({ namespace: 'default', name: 'kept' });
    assert.equal(kept.data?.made, 'before the pause', 'the ConfigMap made before the pause is there after the resume');
  });

  it('delete (the CLI): no syncer process, no network namespace and no volume are left', async () => {
    const name = 'gamma';
    const namespace = namespaceOf(name);
    const vcluster = vclusters.get(name)!;
    const record = readAgentState(testHost().name)!.sandboxes.find((each) => each.namespace === namespace)!;
    const pid = vcluster.syncer.pid;
    assert.ok(existsSync(record.dataDir), 'its data lives in its volume\'s folder');
    await cli.run(['delete', name, '--namespace', namespace, '--delete-namespace'], 180_000);
    await waitFor('the syncer to be gone', 60_000, async () => (existsSync(record.dir) ? undefined : true), 250);
    assert.deepEqual(liveGroupMembers(pid), []);
    assert.equal(existsSync(join('/run/netns', `${netnsPrefix(testHost().name)}${record.uid.replace(/-/g, '').slice(0, 12)}`)), false, 'its network namespace is gone');
    await waitFor('its volume folder to be removed with its claim', 60_000, async () => (existsSync(record.dataDir) ? undefined : true), 500);
  });

  it('a pod range already routed on this machine (a VPN, another bridge) is never taken: the next free one is', async () => {
    const claimed = new Set(readdirSync(join(kwokWorkdir(), 'networks')).map(Number));
    let octet = 200;
    while (claimed.has(octet)) octet++;
    // A bridge of the test's own holding that range stands in for a VPN (no dummy links here).
    const dummy = `vctest${process.pid % 100000}`;
    const probe = `it-range-${process.pid}`;
    await runProcess('ip', ['link', 'add', dummy, 'type', 'bridge'], { timeoutMs: 5_000 });
    try {
      await runProcess('ip', ['addr', 'add', `10.${octet}.0.1/16`, 'dev', dummy], { timeoutMs: 5_000 });
      await runProcess('ip', ['link', 'set', dummy, 'up'], { timeoutMs: 5_000 });
      const network = claimNetwork(probe);
      assert.notEqual(network.cidr, `10.${octet}.0.0/16`, 'the routed range is left alone');
      assert.ok(!claimed.has(Number(network.cidr.split('.')[1])), 'nor one another host claimed');
    } finally {
      removeClusterNetworkNow(probe);
      await runProcess('ip', ['link', 'delete', dummy], { timeoutMs: 5_000 }).catch(() => undefined);
    }
  });

  it('a second local host runs beside this one on its own pod range; its agent killed with SIGKILL is adopted by the next start, and `down` leaves nothing behind', async () => {
    const host = await ensureHostBinaries();
    const name = `it-agent-${process.pid}`;
    try {
      const second = await upHostCluster(host, { name, nodes: 1 });
      assert.ok(second.podCidr, 'the second host has a node agent');
      assert.notEqual(second.podCidr, claimedNetwork(testHost().name)!.cidr, 'another pod range than the tier host');
      const vcluster = await upVCluster({ cluster: second, vcluster: binaries, name: 'solo', namespace: 'solo' });
      assert.equal(await answers(vcluster.kubeconfig), true);
      assert.equal(await answers(vclusters.get('alpha')!.kubeconfig), true, 'the tier host\'s vCluster is unaffected');

      // The agent dies hard; its syncer keeps running (it is supervised on its own).
      const agent = runningAgentPid(name)!;
      const supervisor = vcluster.syncer.state()!.supervisorPid;
      process.kill(agent, 'SIGKILL');
      await waitFor('the agent to be gone', 10_000, async () => (isAlive(agent) ? undefined : true), 100);
      assert.ok(isAlive(supervisor), 'the syncer outlives its agent');
      await startNodeAgent({ cluster: name, hostKubeconfig: second.kubeconfig, host, binaries });
      assert.notEqual(runningAgentPid(name), agent);
      await waitFor('the new agent to adopt the syncer', 20_000, async () => (readAgentState(name)?.sandboxes.some((each) => each.state === 'running') ? true : undefined), 250);
      assert.equal(vcluster.syncer.state()!.supervisorPid, supervisor, 'adopted, not restarted');
      assert.equal(await answers(vcluster.kubeconfig), true);

      // SIGKILL again, then down: everything of that host goes.
      process.kill(runningAgentPid(name)!, 'SIGKILL');
      const syncerPid = vcluster.syncer.pid;
      await downHostCluster(name, host);
      assert.deepEqual(liveGroupMembers(syncerPid), [], 'no syncer process');
      assert.equal(isAlive(supervisor), false, 'no supervisor');
      assert.deepEqual(findProcesses((argv) => argv.some((arg) => arg.includes(`/${name}/`) || arg.endsWith(`/${name}`))), [], 'no process of that host');
      const netnsLeft = existsSync('/run/netns') ? (await runProcess('ip', ['netns', 'list'], { timeoutMs: 5_000 })).stdout.split('\n').filter((line) => line.startsWith(netnsPrefix(name))) : [];
      assert.deepEqual(netnsLeft, [], 'no network namespace');
      assert.equal(linkExists(bridgeName(name)), false, 'no bridge');
      assert.ok(!readFileSync('/proc/mounts', 'utf8').includes(netnsPrefix(name)), 'no mount');
      for (const dir of [volumesDir(name), syncersDir(name), agentDir(name)]) assert.equal(existsSync(dir), false, `${dir} removed`);
      assert.equal(claimedNetwork(name), undefined, 'its pod range is free again');
    } finally {
      await downHostCluster(name, host).catch(() => undefined);
    }
  });
});
