// The real vcluster CLI (built here from github.com/loft-sh/vcluster) installs the real chart of
// the same version, with its defaults, with the real helm onto the tier's local host cluster. The
// host's storage provisioner binds the chart's volume claim and its node agent runs the syncer of
// the pod kwok schedules; what is checked here is everything the CLI and chart put on the host,
// that the extension's discovery agrees with `vcluster list`, and how the agent treats a vCluster
// pod whose syncer cannot start.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { versions } from '../../scripts/lib/versions.mjs';
import { KubeClient, kubeConfigForContext } from '../../src/kube/client';
import { loadKubeconfig } from '../../src/kube/kubeconfig';
import { discoverVClusters } from '../../src/vcluster/discovery/discoverVClusters';
import { cachedHostBinaries } from '../env/hostBinaries';
import { findProcesses } from '../env/hostCluster';
import { readAgentState } from '../env/nodeAgent/control';
import { podNetnsName } from '../env/nodeAgent/podNetwork';
import { podSyncerView } from '../env/nodeAgent/podSyncer';
import { runProcess } from '../../src/process/run';
import { ensureVClusterBinaries, type VClusterBinaries } from '../env/vclusterBinaries';
import { createVCluster, vclusterCli, type VClusterCli } from '../env/vclusterFixture';
import { testHost, testHostKubeconfig, waitFor } from './support/host';

describe('vcluster create with the real CLI, helm and chart on the local host', () => {
  const name = 'it-vc';
  const namespace = `it-vcluster-${process.pid}`;
  let binaries: VClusterBinaries;
  let cli: VClusterCli;
  let kubeConfig: KubeConfig;

  before(async () => {
    binaries = await ensureVClusterBinaries();
    cli = vclusterCli(binaries, testHostKubeconfig());
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(testHostKubeconfig());
  });

  after(async () => {
    await cli?.run(['delete', name, '--namespace', namespace, '--delete-namespace']).catch(() => undefined);
    await kubeConfig?.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace }).catch(() => undefined);
    cli?.dispose();
  });

  it('the CLI and helm report the pinned versions', async () => {
    const version = await cli.run(['--version']);
    assert.match(version.stdout, new RegExp(versions.vcluster.replace(/^v/, '').replace(/\./g, '\\.')));
  });

  it('creates the release: StatefulSet, Services, config Secret, ServiceAccount and RBAC', async () => {
    await createVCluster(cli, binaries, name, namespace);
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const rbac = kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    const statefulSet = await apps.readNamespacedStatefulSet({ namespace, name });
    assert.equal(statefulSet.metadata?.labels?.app, 'vcluster');
    assert.equal(statefulSet.metadata?.labels?.release, name);
    const services = (await core.listNamespacedService({ namespace })).items.map((service) => service.metadata?.name).sort();
    assert.deepEqual(services, [name, `${name}-headless`].sort());
    const secret = await core.readNamespacedSecret({ namespace, name: `vc-config-${name}` });
    assert.ok(secret.data?.['config.yaml'], 'the rendered vcluster config is in Secret vc-config-NAME');
    const claim = await waitFor('the chart\'s volume claim to be bound by the host\'s provisioner', 30_000, async () => {
      const found = await core.readNamespacedPersistentVolumeClaim({ namespace, name: `data-${name}-0` });
      return found.status?.phase === 'Bound' ? found : undefined;
    });
    assert.equal(claim.spec?.storageClassName, 'standard', 'the default StorageClass, as on kind');
    await core.readNamespacedServiceAccount({ namespace, name: `vc-${name}` });
    const roles = (await rbac.listNamespacedRole({ namespace })).items.map((role) => role.metadata?.name);
    assert.ok(roles.includes(`vc-${name}`), `Role vc-${name} among ${roles.join(', ')}`);
  });

  it('kwok runs its pod, and the extension\'s discovery agrees with `vcluster list`', async () => {
    const listed = await waitFor('vcluster list to show it Running', 60_000, async () => {
      const result = await cli.run(['list', '--output', 'json']);
      const entries = JSON.parse(result.stdout) as Array<{ Name: string; Namespace: string; Status: string; Version: string }>;
      const entry = entries.find((candidate) => candidate.Name === name && candidate.Namespace === namespace);
      return entry?.Status === 'Running' ? entry : undefined;
    });
    const loaded = await loadKubeconfig([testHostKubeconfig()]);
    assert.equal(loaded.state, 'ok');
    if (loaded.state !== 'ok') return;
    const context = loaded.contexts[0]!.name;
    const client = new KubeClient(kubeConfigForContext(loaded.document, context));
    const result = await discoverVClusters({ client, hostContext: context, contextNamespace: undefined, signal: AbortSignal.timeout(10_000) });
    const found = result.vclusters.find((vcluster) => vcluster.name === name && vcluster.namespace === namespace);
    assert.ok(found, 'the extension finds the vCluster the CLI created');
    assert.equal(found.status, listed.Status);
    assert.equal(found.version, listed.Version);
    assert.equal(found.version, versions.vcluster.replace(/^v/, ''), 'the chart carries its release version');
    assert.equal(found.workloadKind, 'StatefulSet');
  });

  it('a vCluster pod without its config waits and says why; with a config the syncer rejects, it restarts with back-off and its log says why; deleted, nothing is left', async () => {
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const broken = 'broken';
    const agentRecord = () => readAgentState(testHost().name)?.sandboxes.find((record) => record.namespace === namespace && record.podName === `${broken}-0`);
    // A pod as the chart makes it (labels app=vcluster, release=NAME), by hand, with no Secret vc-config-broken.
    await core.createNamespacedPod({ namespace, body: {
      metadata: { name: `${broken}-0`, labels: { app: 'vcluster', release: broken } },
      spec: { containers: [{ name: 'syncer', image: 'ghcr.io/loft-sh/vcluster-pro:0.36.1' }] },
    } });
    const waiting = await waitFor('the agent to say what the pod waits for', 30_000, async () => agentRecord()?.problem);
    assert.match(waiting, new RegExp(`there is no Secret ${namespace}/vc-config-${broken}`));
    // The real syncer with a config it rejects: a copy of the release's Secret with a bad key.
    const secret = await core.readNamespacedSecret({ namespace, name: `vc-config-${name}` });
    const config = Buffer.from(secret.data!['config.yaml']!, 'base64').toString('utf8');
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: `vc-config-${broken}` }, data: { 'config.yaml': Buffer.from(`${config}\nnotAConfigKey: true\n`).toString('base64') } },
    });
    const record = await waitFor('the agent to start its syncer (it retries a waiting pod with back-off)', 60_000, async () => (agentRecord()?.state === 'running' ? agentRecord() : undefined));
    const syncer = podSyncerView(record!.dir);
    const restarted = await waitFor('the syncer to exit and be restarted after kubelet\'s back-off', 60_000, async () => {
      const state = syncer.state();
      return state && state.restarts >= 1 ? state : undefined;
    }, 250);
    assert.equal(restarted.lastExit?.code, 1);
    // As kubelet reports a crash loop: the pod is not Ready, its syncer container waits in
    // CrashLoopBackOff with a restart count.
    const reported = await waitFor('the pod to report CrashLoopBackOff', 60_000, async () => {
      const pod = await core.readNamespacedPod({ namespace, name: `${broken}-0` });
      const syncerStatus = pod.status?.containerStatuses?.find((status) => status.name === 'syncer');
      return syncerStatus?.state?.waiting?.reason === 'CrashLoopBackOff' && (syncerStatus.restartCount ?? 0) >= 1 ? pod : undefined;
    }, 250);
    assert.equal(reported.status?.conditions?.find((condition) => condition.type === 'Ready')?.status, 'False');
    assert.ok((reported.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
    assert.equal(reported.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode, 1);
    assert.ok(restarted.lastExit!.ranMs < 10_000, 'it exits at once');
    assert.match(readFileSync(syncer.previousLogFile, 'utf8'), /notAConfigKey/, 'its log says which key it rejects');
    const logs = await runProcess(cachedHostBinaries()!.kubectl, ['--kubeconfig', testHostKubeconfig(), 'logs', '-n', namespace, `${broken}-0`, '--previous'], { timeoutMs: 30_000 });
    assert.match(logs.stdout, /notAConfigKey/, '`kubectl logs --previous` shows it too');
    const netns = podNetnsName(testHost().name, record!.uid);
    assert.ok(existsSync(join('/run/netns', netns)), 'the pod has a network namespace of its own');

    await core.deleteNamespacedPod({ namespace, name: `${broken}-0`, body: { gracePeriodSeconds: 0 } });
    await waitFor('the agent to stop the syncer', 30_000, async () => (existsSync(record!.dir) ? undefined : true));
    // The agent removes the pod's network after its syncer's folder (stopSandbox): wait for it too,
    // bounded, rather than race it (this failed once in CI, the netns a moment behind the folder).
    await waitFor('the pod\'s network namespace to be removed', 15_000, async () => (existsSync(join('/run/netns', netns)) ? undefined : true), 100)
      .catch(() => undefined);
    assert.equal(existsSync(join('/run/netns', netns)), false, 'its network namespace is gone');
    assert.deepEqual(findProcesses((argv) => argv.some((arg) => arg.includes(record!.dir))), [], 'no process of the failed syncer is left');
  });
});
