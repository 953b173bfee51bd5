// Real syncing: a vCluster created by the real CLI and chart (its defaults) on the tier's local
// host, whose node agent runs the real syncer (`vcluster start`, built here) for its pod, in the
// pod's own network namespace at the pod's IP. Objects are
// created in the virtual cluster; the syncer translates them into the host namespace; kwok runs
// the host pods, and the syncer copies their status back.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { createConnection } from 'node:net';
import { KubeClient } from '../../src/kube/client';
import { loadKubeconfig } from '../../src/kube/kubeconfig';
import { cleanLogLine, followPodLog } from '../../src/kube/podLogs';
import { MemoryLogger } from '../../src/process/log';
import { runProcess } from '../../src/process/run';
import * as core from '../../src/coreBundle';
import { ConnectionsKubeconfig } from '../../src/vcluster/connect/connectionsKubeconfig';
import { cachedHostBinaries } from '../env/hostBinaries';
import { ensureVClusterBinaries } from '../env/vclusterBinaries';
import { liveGroupMembers } from '../env/supervisor';
import { upVCluster, waitForVirtualApi, type LocalVCluster } from '../env/vclusterFixture';
import { connectActions } from './support/connectActions';
import { testHost, waitFor } from './support/host';

const NAME = 'sync';
const NAMESPACE = `vcluster-sync-${process.pid}`;
/** The syncer's host name for a namespaced object: NAME-x-NAMESPACE-x-VCLUSTER. */
const hostName = (name: string, namespace = 'default') => `${name}-x-${namespace}-x-${NAME}`;

describe('real syncing by the vCluster syncer on the local host', () => {
  let vcluster: LocalVCluster;
  let virtualCore: CoreV1Api;
  let virtualApps: AppsV1Api;
  let hostCore: CoreV1Api;
  let cluster: { name: string; kubeconfig: string };

  before(async () => {
    cluster = testHost();
    const { kubeconfig } = cluster;
    vcluster = await upVCluster({ cluster, vcluster: await ensureVClusterBinaries(), name: NAME, namespace: NAMESPACE });
    const virtual = new KubeConfig();
    virtual.loadFromFile(vcluster.kubeconfig);
    virtualCore = virtual.makeApiClient(CoreV1Api);
    virtualApps = virtual.makeApiClient(AppsV1Api);
    const hostConfig = new KubeConfig();
    hostConfig.loadFromFile(kubeconfig);
    hostCore = hostConfig.makeApiClient(CoreV1Api);
  });

  after(async () => {
    if (vcluster) {
      if (process.exitCode) console.log(`syncer log (last lines):\n${vcluster.syncer.logTail(40)}`);
      await vcluster.remove();
    }
    await hostCore?.deleteNamespace({ name: NAMESPACE }).catch(() => undefined);
  });

  it('serves a virtual cluster of its own at its pod\'s IP (a kubeconfig from Secret vc-NAME)', async () => {
    assert.match(vcluster.podIp, /^10\.2\d\d\./, 'an IP of the host\'s pod range, not loopback');
    const namespaces = (await virtualCore.listNamespace()).items.map((namespace) => namespace.metadata?.name);
    assert.ok(namespaces.includes('default') && namespaces.includes('kube-system'));
    assert.ok(!namespaces.includes(NAMESPACE), 'the host namespace is not visible inside the virtual cluster');
    // …and kubectl (built here, same version as the virtual control plane) works with it too.
    const kubectl = await runProcess(cachedHostBinaries()!.kubectl, ['--kubeconfig', vcluster.kubeconfig, 'get', 'namespace', 'kube-system', '-o', 'name'], { timeoutMs: 30_000 });
    assert.equal(kubectl.stdout.trim(), 'namespace/kube-system');
  });

  it('syncs a Deployment\'s pods, a Service and a ConfigMap used by a pod to the host under its names and markers', async () => {
    await virtualCore.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'app-config' }, data: { GREETING: 'hello' } } });
    await virtualApps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'registry.invalid/web:1', envFrom: [{ configMapRef: { name: 'app-config' } }] }] },
          },
        },
      },
    });
    await virtualCore.createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
    });

    const hostPods = await waitFor('two synced pods on the host', 60_000, async () => {
      const pods = await hostCore.listNamespacedPod({ namespace: NAMESPACE, labelSelector: 'app=web' });
      return pods.items.length === 2 ? pods.items : undefined;
    });
    const virtualPods = (await virtualCore.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' })).items;
    assert.deepEqual(hostPods.map((pod) => pod.metadata?.name).sort(), virtualPods.map((pod) => hostName(pod.metadata!.name!)).sort());
    for (const pod of hostPods) {
      assert.equal(pod.metadata?.labels?.['vcluster.loft.sh/managed-by'], NAME);
      assert.equal(pod.metadata?.labels?.['vcluster.loft.sh/namespace'], 'default');
      assert.equal(pod.metadata?.annotations?.['vcluster.loft.sh/object-namespace'], 'default');
      assert.match(pod.metadata?.annotations?.['vcluster.loft.sh/object-name'] ?? '', /^web-/);
      // The pod's reference to the ConfigMap is rewritten to the host copy.
      assert.equal(pod.spec?.containers[0]?.envFrom?.[0]?.configMapRef?.name, hostName('app-config'));
    }

    const service = await waitFor('the synced Service', 30_000, () => hostCore.readNamespacedService({ namespace: NAMESPACE, name: hostName('web') }).catch(() => undefined));
    assert.equal(service.metadata?.annotations?.['vcluster.loft.sh/object-name'], 'web');
    const configMap = await waitFor('the synced ConfigMap', 30_000, () => hostCore.readNamespacedConfigMap({ namespace: NAMESPACE, name: hostName('app-config') }).catch(() => undefined));
    assert.equal(configMap.data?.GREETING, 'hello');
    assert.equal(configMap.metadata?.labels?.['vcluster.loft.sh/managed-by'], NAME);
  });

  it('kwok runs the host pods, and their Running status and IPs sync back to the virtual pods', async () => {
    const virtualPods = await waitFor('both virtual pods Running with IPs', 60_000, async () => {
      const pods = (await virtualCore.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' })).items;
      return pods.length === 2 && pods.every((pod: V1Pod) => pod.status?.phase === 'Running' && pod.status.podIP) ? pods : undefined;
    });
    for (const pod of virtualPods) {
      const onHost = await hostCore.readNamespacedPod({ namespace: NAMESPACE, name: hostName(pod.metadata!.name!) });
      assert.equal(onHost.status?.phase, 'Running');
      assert.equal(pod.status?.podIP, onHost.status?.podIP, 'the virtual pod reports the IP kwok gave the host pod');
    }
  });

  it('deleting in the virtual cluster removes the host objects', async () => {
    await virtualApps.deleteNamespacedDeployment({ namespace: 'default', name: 'web' });
    await virtualCore.deleteNamespacedService({ namespace: 'default', name: 'web' });
    await virtualCore.deleteNamespacedConfigMap({ namespace: 'default', name: 'app-config' });
    await waitFor('the host pods, Service and ConfigMap to be gone', 90_000, async () => {
      const pods = await hostCore.listNamespacedPod({ namespace: NAMESPACE, labelSelector: 'app=web' });
      const service = await hostCore.readNamespacedService({ namespace: NAMESPACE, name: hostName('web') }).then(() => true, () => false);
      const configMap = await hostCore.readNamespacedConfigMap({ namespace: NAMESPACE, name: hostName('app-config') }).then(() => true, () => false);
      return pods.items.length === 0 && !service && !configMap ? true : undefined;
    });
  });

  it('connect through the extension: a real port-forward to the pod (API server → kwok → pod IP), then the configured server; disconnect removes the context and closes the forward', async () => {
    const loaded = await loadKubeconfig([cluster.kubeconfig]);
    assert.equal(loaded.state, 'ok');
    if (loaded.state !== 'ok') return;
    const hostContext = loaded.contexts[0]!.name;
    const scratch = mkdtempSync(join(tmpdir(), 'vcluster-connect-'));
    const connectionsFile = join(scratch, 'vclusters.kubeconfig');
    const servers: Record<string, string> = {};
    const actions = connectActions({ document: loaded.document, kubeconfigPath: cluster.kubeconfig, connectionsFile, servers, logger: new MemoryLogger() });
    const ref = { hostContext, namespace: NAMESPACE, name: NAME };
    const hostKubeconfigBefore = readFileSync(cluster.kubeconfig, 'utf8');
    try {
      // No setting: the Service is a ClusterIP, so the extension port-forwards to the pod, as the
      // CLI does. The node agent told kwok where the pod's port 8443 is: the syncer at the pod IP.
      const forwarded = await actions.connector.connect(ref);
      assert.equal(forwarded.via, 'portForward');
      const port = Number(new URL(forwarded.server).port);
      assert.ok(port >= 10000 && port <= 12999, `a local port in the CLI's range 10000-12999 (${port})`);
      const throughForward = await runProcess(cachedHostBinaries()!.kubectl, ['--kubeconfig', connectionsFile, '--context', forwarded.context, 'get', 'namespace', 'default', '-o', 'name'], { timeoutMs: 30_000 });
      assert.equal(throughForward.stdout.trim(), 'namespace/default', 'kubectl reaches the virtual cluster through the port-forward');
      assert.equal(await actions.connector.disconnect(ref), true);
      await assert.rejects(new Promise((resolve, reject) => {
        const socket = createConnection({ host: '127.0.0.1', port }, () => { socket.destroy(); resolve(true); });
        socket.on('error', reject);
      }), /ECONNREFUSED/, 'disconnect closed the local port');

      // A server set by the user (here the pod's IP, which this machine routes to) wins.
      servers[`${NAMESPACE}/${NAME}`] = `https://${vcluster.podIp}:8443`;
      const connection = await actions.connector.connect(ref);
      assert.deepEqual(connection, { context: `vcluster_${NAME}_${NAMESPACE}_${hostContext}`, server: `https://${vcluster.podIp}:8443`, via: 'setting' });
      assert.equal(actions.connector.isConnected(ref), true);
      assert.equal(statSync(connectionsFile).mode & 0o777, 0o600);
      const kubectl = await runProcess(cachedHostBinaries()!.kubectl, ['--kubeconfig', connectionsFile, '--context', connection.context, 'get', 'namespace', 'kube-system', '-o', 'name'], { timeoutMs: 30_000 });
      assert.equal(kubectl.stdout.trim(), 'namespace/kube-system', 'kubectl reaches the virtual cluster through the new context');
      assert.equal(await actions.connector.disconnect(ref), true);
      assert.equal(actions.connector.isConnected(ref), false);
      assert.deepEqual(await new ConnectionsKubeconfig(connectionsFile, async () => core).contextNames(), []);
      assert.equal(readFileSync(cluster.kubeconfig, 'utf8'), hostKubeconfigBefore, 'the host kubeconfig is untouched');
    } finally {
      actions.dispose();
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('a syncer killed with SIGKILL is restarted like a pod\'s container: after 10 s, with its data, and answers again; a followed log tab goes on with the new run', async (t) => {
    const syncer = vcluster.syncer!;
    const before = syncer.state()!;
    assert.equal(before.state, 'running');
    const killedPid = syncer.pid;
    const marker = `before-kill-${Date.now()}`;
    await virtualCore.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: marker }, data: { kept: 'yes' } } });
    // The extension's log tab follows the syncer across the kill: its stream ends with the run,
    // it reconnects and goes on with the new run's lines (checked against kubectl below).
    const hostConfig = new KubeConfig();
    hostConfig.loadFromFile(cluster.kubeconfig);
    const hostClient = new KubeClient(hostConfig);
    const followed: string[] = [];
    const followNotes: string[] = [];
    const stopFollowing = new AbortController();
    t.after(() => stopFollowing.abort());
    const following = followPodLog(hostClient, { namespace: NAMESPACE, pod: `${NAME}-0`, container: 'syncer' }, {
      lines: (lines) => followed.push(...lines),
      note: (message) => followNotes.push(message),
    }, stopFollowing.signal, { initialBackoffMs: 500, maxBackoffMs: 2_000 });
    await waitFor('the log tab to show the running syncer\'s lines', 30_000, async () => (followed.length > 0 ? true : undefined), 100);
    process.kill(killedPid, 'SIGKILL');
    const waiting = await waitFor('the supervisor to record the exit', 15_000, async () => {
      const now = syncer.state();
      return now?.state === 'waiting' ? now : undefined;
    }, 100);
    assert.equal(waiting.lastExit?.signal, 'SIGKILL');
    const backoffMs = Date.parse(waiting.nextStartAt!) - Date.parse(waiting.lastExit!.at);
    assert.ok(backoffMs >= 9_500 && backoffMs <= 10_500, `first back-off is kubelet's 10 s (was ${backoffMs} ms)`);
    // What the killed syncer left in its group (kube-apiserver, kine, the controller-manager) went
    // with it, as a pod's containers would, so the restart finds its fixed ports free.
    assert.deepEqual(liveGroupMembers(killedPid), [], 'nothing of the killed run is left');
    await waitFor('the restarted syncer to serve the virtual cluster again', 120_000, async () => {
      const { items } = await virtualCore.listNamespacedConfigMap({ namespace: 'default' });
      return items.find((item) => item.metadata?.name === marker);
    }, 500);
    const after = syncer.state()!;
    assert.equal(after.state, 'running');
    assert.equal(after.restarts, before.restarts + 1);
    assert.notEqual(syncer.pid, killedPid);
    // …and the pod says so, as kubelet would: one restart, the last exit by SIGKILL, Ready again.
    const pod = await waitFor('the pod to report the restart', 30_000, async () => {
      const current = await hostCore.readNamespacedPod({ namespace: NAMESPACE, name: `${NAME}-0` });
      const status = current.status?.containerStatuses?.find((each) => each.name === 'syncer');
      return status?.restartCount === after.restarts && status.ready ? status : undefined;
    }, 250);
    assert.equal(pod.lastState?.terminated?.exitCode, 137, 'SIGKILL, as 128 + 9');
    assert.ok(existsSync(join(dirname(syncer.logFile), 'previous.log')), 'the killed run\'s log is kept as the previous log');
    // kubectl logs reads the syncer's log through the real API server and kwok, --previous the killed run's.
    const kubectl = cachedHostBinaries()!.kubectl;
    const logs = (previous: boolean) => runProcess(kubectl, ['--kubeconfig', cluster.kubeconfig, 'logs', '-n', NAMESPACE, `${NAME}-0`, '-c', 'syncer', ...(previous ? ['--previous'] : []), '--tail', '2000'], { timeoutMs: 30_000 });
    assert.match((await logs(false)).stdout, /component/, 'the current run\'s log');
    assert.equal((await logs(true)).stdout.trim(), readFileSync(syncer.previousLogFile, 'utf8').trim().split('\n').slice(-2000).join('\n'), 'the previous run\'s log, line for line');
    await waitFor('the restarted syncer to run its whole control plane again', 60_000, async () => (liveGroupMembers(syncer.pid).length >= 4 ? true : undefined), 250);
    try {
      // The followed tab has the new run's lines too: the last lines kubectl shows now arrive.
      // The tab shows lines without the syncer's colour codes; kubectl's, read the same way.
      const currentTail = (await logs(false)).stdout.trim().split('\n').slice(-3).map(cleanLogLine);
      await waitFor('the followed log to reach the restarted run\'s lines', 60_000, async () => (currentTail.every((line) => followed.includes(line)) ? true : undefined), 250)
        .catch((error: Error) => {
          throw new Error(`${error.message}; notes: ${JSON.stringify(followNotes)}; ${followed.length} lines followed, the last: ${JSON.stringify(followed.slice(-3))}; kubectl's last: ${JSON.stringify(currentTail)}`);
        });
      // --previous through the extension: the killed run, line for line as kubectl reads it.
      const previous: string[] = [];
      await followPodLog(hostClient, { namespace: NAMESPACE, pod: `${NAME}-0`, container: 'syncer', previous: true }, { lines: (lines) => previous.push(...lines), note: () => undefined }, AbortSignal.timeout(30_000));
      assert.deepEqual(previous.slice(-2000), (await logs(true)).stdout.trim().split('\n').map(cleanLogLine));
      console.log(`    log tab: ${followed.length} lines followed across the kill; notes: ${followNotes.join(' | ')}`);
    } finally {
      stopFollowing.abort();
      await following.catch(() => undefined);
    }
  });

  it('a vCluster pod deleted by hand: its syncer and whole control plane stop, and the StatefulSet\'s new pod gets a new syncer with the same data', async () => {
    const pid = vcluster.syncer.pid;
    const members = () => liveGroupMembers(pid);
    assert.ok(members().length >= 4, 'syncer, kine, kube-apiserver and kube-controller-manager run in its group');
    const before = await hostCore.readNamespacedPod({ namespace: NAMESPACE, name: `${NAME}-0` });
    const marker = `before-delete-${Date.now()}`;
    await virtualCore.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: marker } } });
    await hostCore.deleteNamespacedPod({ namespace: NAMESPACE, name: `${NAME}-0` });
    await waitFor('the old syncer\'s group to be gone', 60_000, async () => (members().length === 0 ? true : undefined), 250);
    const { kubeconfig } = await waitForVirtualApi({ cluster, name: NAME, namespace: NAMESPACE, timeoutMs: 120_000 });
    const after = await hostCore.readNamespacedPod({ namespace: NAMESPACE, name: `${NAME}-0` });
    assert.notEqual(after.metadata?.uid, before.metadata?.uid, 'a new pod');
    const again = new KubeConfig();
    again.loadFromFile(kubeconfig);
    const names = (await again.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: 'default' })).items.map((item) => item.metadata?.name);
    assert.ok(names.includes(marker), 'the ConfigMap made before the pod was deleted is still there (its volume kept the data)');
    assert.notEqual(vcluster.syncer.pid, pid);
  });
});
