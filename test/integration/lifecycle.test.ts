// The extension's lifecycle actions against the tier's real host (kube-apiserver built here, kwok
// running the pods) with the real vcluster CLI, helm and chart: create, pause, resume, upgrade and
// delete through both provisioners, checked against the host and against the real CLI, plus
// the faults a user meets. kwok runs the vCluster pod (no syncer inside it), so Running here is
// the pod's status, exactly as `vcluster list` reads it.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api, type V1Deployment, type V1StatefulSet } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { KubeClient, kubeConfigForContext } from '../../src/kube/client';
import { describeKubeError } from '../../src/kube/errors';
import { loadKubeconfig, type KubeconfigDocument } from '../../src/kube/kubeconfig';
import { MemoryLogger } from '../../src/process/log';
import { runProcess } from '../../src/process/run';
import { CreateCancelledError, CreateRefusedError } from '../../src/vcluster/lifecycle/vclusterLifecycle';
import * as core from '../../src/coreBundle';
import { ConnectionsKubeconfig } from '../../src/vcluster/connect/connectionsKubeconfig';
import { discoverVClusters, type VClusterSummary } from '../../src/vcluster/discovery/discoverVClusters';
import { OperationInProgressError } from '../../src/vcluster/lifecycle/operationTracker';
import { ensureVClusterBinaries, type VClusterBinaries } from '../env/vclusterBinaries';
import { testHostKubeconfig, waitFor } from './support/host';
import { createVClusterServices } from '../../src/vcluster/vclusterServices';

/** Values for a kwok host: loopback proxy, no telemetry, and no volume claim (kwok has no storage). */
const KWOK_VALUES = stringify({
  telemetry: { enabled: false },
  controlPlane: { proxy: { bindAddress: '127.0.0.1' }, statefulSet: { persistence: { volumeClaim: { enabled: false } } } },
});

describe('vCluster lifecycle through the extension, on the real host with the real CLI and helm', () => {
  let binaries: VClusterBinaries;
  let scratch: string;
  let valuesFile: string;
  let hostKubeconfig: string;
  let document: KubeconfigDocument;
  let hostContext: string;
  let kubeConfig: KubeConfig;
  const logger = new MemoryLogger();
  const savedEnv = { HOME: process.env.HOME, VCLUSTER_SKIP_VERSION_CHECK: process.env.VCLUSTER_SKIP_VERSION_CHECK };
  const namespaces: string[] = [];

  function actionsWith(tools: { vcluster?: string; helm?: string }, preference: 'auto' | 'vcluster' | 'helm' = 'auto', chartDir?: string) {
    return createVClusterServices({
      loadCoreBundle: async () => core,
      kubeconfig: () => ({ document, paths: [hostKubeconfig] }),
      tools: () => ({ ...tools, preference }),
      chart: () => ({ localDir: chartDir ?? binaries.chartDir }),
      connections: new ConnectionsKubeconfig(join(scratch, 'connections.kubeconfig'), async () => core),
      connectServers: () => ({}),
      logger,
      requestTimeoutMs: () => 10_000,
      provisionTimeoutMs: 180_000,
    });
  }

  async function discover(): Promise<VClusterSummary[]> {
    const client = new KubeClient(kubeConfigForContext(document, hostContext));
    return (await discoverVClusters({ client, hostContext, contextNamespace: undefined, signal: AbortSignal.timeout(10_000) })).vclusters;
  }

  async function statusOf(name: string): Promise<string | undefined> {
    return (await discover()).find((vcluster) => vcluster.name === name)?.status;
  }

  /** `vcluster list --output json` from the real CLI, by name → Status. */
  async function cliStatuses(): Promise<Record<string, string>> {
    const result = await runProcess(binaries.vcluster, ['list', '--output', 'json'], { env: { ...process.env, KUBECONFIG: hostKubeconfig }, timeoutMs: 60_000, cwd: scratch });
    const parsed = JSON.parse(result.stdout) as Array<{ Name: string; Status: string }> | null;
    return Object.fromEntries((parsed ?? []).map((entry) => [entry.Name, entry.Status]));
  }

  /** The vCluster's workload: without a volume claim the chart makes a Deployment, else a StatefulSet. */
  async function readWorkload(ref: { namespace: string; name: string }): Promise<V1StatefulSet | V1Deployment> {
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    return apps.readNamespacedStatefulSet(ref).catch(() => apps.readNamespacedDeployment(ref));
  }

  async function pausable(ref: { hostContext: string; namespace: string; name: string }) {
    const summary = (await discover()).find((vcluster) => vcluster.name === ref.name && vcluster.namespace === ref.namespace);
    assert.ok(summary, `discovery finds ${ref.name}`);
    return { ...ref, workloadKind: summary.workloadKind };
  }

  async function namespaceGone(name: string): Promise<boolean> {
    const namespace = await kubeConfig.makeApiClient(CoreV1Api).readNamespace({ name }).catch(() => undefined);
    return namespace === undefined || namespace.status?.phase === 'Terminating';
  }

  before(async () => {
    binaries = await ensureVClusterBinaries();
    scratch = mkdtempSync(join(tmpdir(), 'vcluster-lifecycle-'));
    // The CLI's own settings (telemetry off) in a private HOME, and no update check: this
    // machine is offline. The user's real ~/.vcluster is never touched by tests.
    mkdirSync(join(scratch, 'home', '.vcluster'), { recursive: true });
    writeFileSync(join(scratch, 'home', '.vcluster', 'config.json'), JSON.stringify({ telemetryDisabled: true }));
    process.env.HOME = join(scratch, 'home');
    process.env.VCLUSTER_SKIP_VERSION_CHECK = 'true';
    valuesFile = join(scratch, 'values.yaml');
    writeFileSync(valuesFile, KWOK_VALUES);
    hostKubeconfig = testHostKubeconfig();
    const loaded = await loadKubeconfig([hostKubeconfig]);
    assert.equal(loaded.state, 'ok');
    if (loaded.state !== 'ok') return;
    document = loaded.document;
    hostContext = loaded.contexts[0]!.name;
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(hostKubeconfig);
  });

  after(async () => {
    const core = kubeConfig?.makeApiClient(CoreV1Api);
    for (const namespace of namespaces) {
      await runProcess(binaries.helm, ['uninstall', '--namespace', namespace, '--kubeconfig', hostKubeconfig, namespace.replace(/^lc-/, '')], { timeoutMs: 60_000 }).catch(() => undefined);
      await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
    }
    process.env.HOME = savedEnv.HOME;
    if (savedEnv.VCLUSTER_SKIP_VERSION_CHECK === undefined) delete process.env.VCLUSTER_SKIP_VERSION_CHECK;
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('helm: creates into a new namespace (marked as created), Running; pause and resume agree with the real CLI both ways', async () => {
    const actions = actionsWith({ vcluster: join(scratch, 'no-vcluster'), helm: binaries.helm });
    const ref = { hostContext, name: 'hlm', namespace: 'lc-hlm' };
    namespaces.push(ref.namespace);
    const lines: string[] = [];
    const provisioner = await actions.lifecycle.create({ ...ref, valuesFiles: [valuesFile] }, { onLine: (line) => lines.push(line) });
    assert.equal(provisioner.kind, 'helm');
    assert.ok(lines.some((line) => /STATUS: deployed/.test(line)), `helm's output was streamed: ${lines.join(' | ')}`);
    const namespace = await kubeConfig.makeApiClient(CoreV1Api).readNamespace({ name: ref.namespace });
    assert.equal(namespace.metadata?.annotations?.['vcluster.loft.sh/created'], 'true');
    await waitFor('hlm Running', 90_000, async () => ((await statusOf('hlm')) === 'Running' ? true : undefined));
    assert.equal((await cliStatuses()).hlm, 'Running');

    const vcluster = await pausable(ref);
    assert.deepEqual(await actions.lifecycle.pause(vcluster), { changed: true, replicas: 1 });
    const statefulSet = await readWorkload(ref);
    assert.equal(statefulSet.spec?.replicas, 0);
    assert.equal(statefulSet.metadata?.annotations?.['loft.sh/paused'], 'true');
    assert.equal(statefulSet.metadata?.annotations?.['loft.sh/paused-replicas'], '1');
    assert.match(statefulSet.metadata?.annotations?.['loft.sh/paused-date'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(await statusOf('hlm'), 'Paused');
    assert.equal((await cliStatuses()).hlm, 'Paused', 'the CLI sees the extension\'s pause');
    assert.equal((await actions.lifecycle.pause(vcluster)).changed, false, 'pausing twice changes nothing');

    // The real CLI resumes what the extension paused.
    await runProcess(binaries.vcluster, ['resume', ref.name, '--namespace', ref.namespace], { env: { ...process.env, KUBECONFIG: hostKubeconfig }, timeoutMs: 60_000, cwd: scratch });
    await waitFor('hlm Running after the CLI resumed it', 90_000, async () => ((await statusOf('hlm')) === 'Running' ? true : undefined));

    // And the extension resumes what the CLI paused.
    await runProcess(binaries.vcluster, ['pause', ref.name, '--namespace', ref.namespace], { env: { ...process.env, KUBECONFIG: hostKubeconfig }, timeoutMs: 120_000, cwd: scratch });
    assert.equal(await statusOf('hlm'), 'Paused');
    assert.deepEqual(await actions.lifecycle.resume(vcluster), { changed: true, replicas: 1 });
    const resumed = await readWorkload(ref);
    assert.equal(resumed.spec?.replicas, 1);
    assert.equal(resumed.metadata?.annotations?.['loft.sh/paused'], undefined);
    await waitFor('hlm Running after the extension resumed it', 90_000, async () => ((await statusOf('hlm')) === 'Running' ? true : undefined));
  });

  it('refuses a taken name, a namespace that already holds a vCluster, and an invalid name, before anything runs', async () => {
    const actions = actionsWith({ helm: binaries.helm });
    await assert.rejects(actions.lifecycle.create({ hostContext, name: 'hlm', namespace: 'lc-hlm', valuesFiles: [] }), (error: Error) =>
      error instanceof CreateRefusedError && /already exists in namespace lc-hlm/.test(error.message));
    await assert.rejects(actions.lifecycle.create({ hostContext, name: 'second', namespace: 'lc-hlm', valuesFiles: [] }), (error: Error) =>
      error instanceof CreateRefusedError && /already holds vCluster hlm/.test(error.message));
    await assert.rejects(actions.lifecycle.create({ hostContext, name: 'Bad_Name', namespace: 'lc-bad', valuesFiles: [] }), /lower case/);
    await assert.rejects(actions.lifecycle.create({ hostContext, name: 'good', namespace: 'lc-bad', valuesFiles: [], kubernetesVersion: 'latest' }), /"latest" is not a Kubernetes version/);
    assert.equal(await kubeConfig.makeApiClient(CoreV1Api).readNamespace({ name: 'lc-bad' }).then(() => true, () => false), false, 'nothing was created');
  });

  it('two operations on one vCluster at once: the second is refused and the first completes', async () => {
    const actions = actionsWith({ helm: binaries.helm });
    const vcluster = await pausable({ hostContext, name: 'hlm', namespace: 'lc-hlm' });
    const first = actions.lifecycle.pause(vcluster);
    await assert.rejects(actions.lifecycle.resume(vcluster), (error: Error) => error instanceof OperationInProgressError && /busy pausing/.test(error.message));
    assert.equal((await first).changed, true);
    assert.equal((await actions.lifecycle.resume(vcluster)).changed, true);
  });

  it('vcluster CLI: creates, upgrades with new values (a new helm revision), and delete removes release, claims and namespace', async () => {
    const actions = actionsWith({ vcluster: binaries.vcluster, helm: binaries.helm });
    const ref = { hostContext, name: 'cli', namespace: 'lc-cli' };
    namespaces.push(ref.namespace);
    const provisioner = await actions.lifecycle.create({ ...ref, valuesFiles: [valuesFile], kubernetesVersion: 'v1.33.2' });
    assert.equal(provisioner.kind, 'vcluster');
    const created = await readWorkload(ref);
    const images = (created.spec?.template.spec?.initContainers ?? []).map((container) => container.image ?? '');
    assert.ok(images.some((image) => image.endsWith('/kubernetes:v1.33.2')), `the chosen Kubernetes version is the control plane's image: ${images.join(', ')}`);
    await waitFor('cli Running', 90_000, async () => ((await statusOf('cli')) === 'Running' ? true : undefined));
    assert.equal((await cliStatuses()).cli, 'Running');

    const upgradeValues = join(scratch, 'upgrade.yaml');
    writeFileSync(upgradeValues, stringify({
      telemetry: { enabled: false },
      controlPlane: { proxy: { bindAddress: '127.0.0.1' }, statefulSet: { labels: { team: 'platform' }, persistence: { volumeClaim: { enabled: false } } } },
    }));
    await actions.lifecycle.upgrade(ref, { valuesFiles: [upgradeValues] });
    const statefulSet = await readWorkload(ref);
    assert.equal(statefulSet.metadata?.labels?.team, 'platform', 'the upgrade applied the new values');
    const history = await runProcess(binaries.helm, ['history', ref.name, '--namespace', ref.namespace, '--kubeconfig', hostKubeconfig, '--output', 'json'], { timeoutMs: 30_000 });
    assert.equal((JSON.parse(history.stdout) as unknown[]).length, 2, 'install plus one upgrade');

    // A data claim as a chart with persistence makes it, so delete has one to remove.
    await kubeConfig.makeApiClient(CoreV1Api).createNamespacedPersistentVolumeClaim({ namespace: ref.namespace, body: {
      metadata: { name: `data-${ref.name}-0` }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    } });
    const plan = await actions.lifecycle.planDeletion(ref, AbortSignal.timeout(10_000));
    assert.deepEqual(plan.volumeClaims, ['data-cli-0']);
    assert.equal(plan.namespace, 'lc-cli', 'the CLI created the namespace, so it goes');
    await actions.lifecycle.delete(plan);
    assert.equal((await cliStatuses()).cli, undefined);
    await waitFor('namespace lc-cli gone or terminating', 30_000, async () => ((await namespaceGone('lc-cli')) ? true : undefined));
    await waitFor('vCluster cli gone from discovery', 30_000, async () => ((await statusOf('cli')) === undefined ? true : undefined));
  });

  it('delete with helm keeps a namespace the vCluster did not create, and removes its claim', async () => {
    const actions = actionsWith({ helm: binaries.helm }, 'helm');
    const ref = { hostContext, name: 'kept', namespace: 'lc-kept' };
    namespaces.push(ref.namespace);
    await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: ref.namespace } } });
    await actions.lifecycle.create({ ...ref, valuesFiles: [valuesFile] });
    await kubeConfig.makeApiClient(CoreV1Api).createNamespacedPersistentVolumeClaim({ namespace: ref.namespace, body: {
      metadata: { name: `data-${ref.name}-0` }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    } });
    const plan = await actions.lifecycle.planDeletion(ref, AbortSignal.timeout(10_000));
    assert.equal(plan.namespace, undefined);
    await actions.lifecycle.delete(plan);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    assert.equal((await core.readNamespace({ name: ref.namespace })).status?.phase, 'Active');
    await waitFor('claim data-kept-0 deleted', 30_000, async () => (await core.readNamespacedPersistentVolumeClaim({ namespace: ref.namespace, name: 'data-kept-0' }).then(() => undefined, () => true)));
    const helmList = await runProcess(binaries.helm, ['list', '--namespace', ref.namespace, '--kubeconfig', hostKubeconfig, '--output', 'json'], { timeoutMs: 30_000 });
    assert.deepEqual(JSON.parse(helmList.stdout), []);
  });

  it('a helm failure shows helm\'s own output and leaves no vCluster behind', async () => {
    const actions = actionsWith({ helm: binaries.helm }, 'helm', join(scratch, 'no-such-chart'));
    namespaces.push('lc-fail');
    await assert.rejects(actions.lifecycle.create({ hostContext, name: 'fail', namespace: 'lc-fail', valuesFiles: [] }), (error: Error) => {
      assert.match(error.message, /helm upgrade fail .*exited with code 1/);
      assert.match(error.message, /no-such-chart/, 'helm\'s own words are in the message');
      return true;
    });
    assert.equal(await statusOf('fail'), undefined);
  });

  it('cancelling a create in the middle removes what was installed and says so', async () => {
    const actions = actionsWith({ vcluster: binaries.vcluster, helm: binaries.helm });
    const ref = { hostContext, name: 'cancelled', namespace: 'lc-cancelled' };
    namespaces.push(ref.namespace);
    const controller = new AbortController();
    // Cancel at the CLI's first line of output: after it has started, before it has finished.
    const error = await actions.lifecycle.create({ ...ref, valuesFiles: [valuesFile] }, { signal: controller.signal, onLine: () => controller.abort() }).then(
      () => undefined, (caught: Error) => caught);
    assert.ok(error instanceof CreateCancelledError, `a CreateCancelledError, got ${String(error)}`);
    assert.match(error.message, /was cancelled; nothing of it was left/);
    const release = await runProcess(binaries.helm, ['status', ref.name, '--namespace', ref.namespace, '--kubeconfig', hostKubeconfig], { timeoutMs: 30_000 }).then(() => true, () => false);
    assert.equal(release, false, 'no helm release remains');
    await waitFor('namespace lc-cancelled gone or terminating', 30_000, async () => ((await namespaceGone(ref.namespace)) ? true : undefined));
    assert.equal(await statusOf('cancelled'), undefined);
  });

  it('listing all namespaces forbidden (403): discovery falls back to the context\'s namespace, as the CLI does', async () => {
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const rbac = kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    const namespace = 'lc-hlm';
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'viewer' } } });
    await rbac.createNamespacedRole({ namespace, body: { metadata: { name: 'viewer' }, rules: [{ apiGroups: ['', 'apps'], resources: ['pods', 'statefulsets', 'deployments'], verbs: ['get', 'list'] }] } });
    await rbac.createNamespacedRoleBinding({ namespace, body: { metadata: { name: 'viewer' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'viewer' }, subjects: [{ kind: 'ServiceAccount', name: 'viewer', namespace }] } });
    const token = await core.createNamespacedServiceAccountToken({ namespace, name: 'viewer', body: { spec: { expirationSeconds: 600, audiences: [] } } });
    const admin = document.clusters[0]!;
    const limited: KubeconfigDocument = {
      apiVersion: 'v1', kind: 'Config', clusters: [admin], users: [{ name: 'viewer', user: { token: token.status?.token } }],
      contexts: [{ name: 'viewer', context: { cluster: admin.name, user: 'viewer', namespace } }], 'current-context': 'viewer',
    };
    const client = new KubeClient(kubeConfigForContext(limited, 'viewer'));
    const result = await discoverVClusters({ client, hostContext: 'viewer', contextNamespace: namespace, signal: AbortSignal.timeout(10_000) });
    assert.deepEqual(result.scope, { allNamespaces: false, namespace });
    assert.deepEqual(result.vclusters.map((vcluster) => vcluster.name), ['hlm']);
  });

  it('an unreachable host: a clear error and nothing run', async () => {
    const dead: KubeconfigDocument = {
      apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'dead', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'dead', user: { token: 'x' } }], contexts: [{ name: 'dead', context: { cluster: 'dead', user: 'dead' } }],
    };
    const actions = createVClusterServices({
      loadCoreBundle: async () => core, kubeconfig: () => ({ document: dead, paths: [] }), tools: () => ({ helm: binaries.helm, preference: 'auto' }),
      chart: () => ({ localDir: binaries.chartDir }), connections: new ConnectionsKubeconfig(join(scratch, 'dead.kubeconfig'), async () => core),
      connectServers: () => ({}), logger, requestTimeoutMs: () => 3000,
    });
    await assert.rejects(actions.lifecycle.create({ hostContext: 'dead', name: 'x', namespace: 'x', valuesFiles: [] }), (error: Error & { code?: string }) =>
      describeKubeError(error).kind === 'unreachable');
  });
});
