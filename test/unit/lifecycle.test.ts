import assert from 'node:assert/strict';
import { statSync, writeFileSync, readFileSync } from 'node:fs';
import { describe, it, after } from 'node:test';
import { parse, stringify } from 'yaml';
import { MemoryLogger } from '../../src/process/log';
import { ValuesFileError } from '../../src/vcluster/lifecycle/vclusterLifecycle';
import { connectionKubeconfig, ConnectionsKubeconfig, vclusterContextName } from '../../src/vcluster/connect/connectionsKubeconfig';
import { defaultNamespace, namespaceProblem, vclusterNameProblem } from '../../src/vcluster/lifecycle/names';
import { OperationInProgressError, OperationTracker } from '../../src/vcluster/lifecycle/operationTracker';
import { pausedDate } from '../../src/vcluster/lifecycle/pauseResume';
import { helmUninstallArgs, helmUpgradeArgs, NoProvisionerError, normalizeKubernetesVersion, provisionEnv, vclusterCreateArgs } from '../../src/vcluster/lifecycle/provisioners';
import { loadKubeconfigFormat, TempDir } from './builders/kubeconfig';
import { createVClusterServices } from '../../src/vcluster/vclusterServices';

const ref = { hostContext: 'kind-dev', namespace: 'vcluster-demo', name: 'demo' };

describe('vCluster names', () => {
  it('accepts DNS-1123 labels up to 52 characters and explains every refusal', () => {
    assert.equal(vclusterNameProblem('demo-1'), undefined);
    assert.equal(vclusterNameProblem('a'.repeat(52)), undefined);
    assert.match(vclusterNameProblem('a'.repeat(53)) ?? '', /at most 52 characters \(this one has 53\)/);
    assert.match(vclusterNameProblem('Demo') ?? '', /lower case/);
    assert.match(vclusterNameProblem('-demo') ?? '', /start and end/);
    assert.match(vclusterNameProblem('demo.x') ?? '', /only lower-case letters, digits and '-'/);
    assert.match(vclusterNameProblem('') ?? '', /Enter a vCluster name/);
    assert.equal(namespaceProblem('n'.repeat(63)), undefined);
    assert.match(namespaceProblem('n'.repeat(64)) ?? '', /at most 63/);
    assert.equal(defaultNamespace('demo'), 'vcluster-demo');
  });
});

describe('provisioner arguments', () => {
  const request = { ...ref, kubeconfigPaths: ['/a', '/b'], valuesFiles: ['/w/values.yaml'], chart: {}, upgrade: false };

  it('builds `vcluster create` as a user types it, without connecting', () => {
    assert.deepEqual(vclusterCreateArgs(request), ['create', 'demo', '--namespace', 'vcluster-demo', '--context', 'kind-dev', '--connect=false', '--values', '/w/values.yaml']);
    assert.deepEqual(vclusterCreateArgs({ ...request, upgrade: true, chart: { repo: 'https://r', version: '0.36.1' } }).slice(7),
      ['--upgrade', '--chart-repo', 'https://r', '--chart-version', '0.36.1', '--values', '/w/values.yaml']);
    // A local chart wins over repository and version, as --local-chart-dir does in the CLI.
    assert.deepEqual(vclusterCreateArgs({ ...request, chart: { localDir: '/charts/vcluster', version: '9.9.9' } }).slice(7, 9), ['--local-chart-dir', '/charts/vcluster']);
  });

  it('builds the same release with helm, from the repository or a folder', () => {
    assert.deepEqual(helmUpgradeArgs({ ...request, chart: { version: '0.36.1' } }), [
      'upgrade', 'demo', 'vcluster', '--install', '--namespace', 'vcluster-demo', '--kube-context', 'kind-dev',
      '--create-namespace', '--repo', 'https://charts.loft.sh', '--version', '0.36.1', '--values', '/w/values.yaml',
    ]);
    const upgrade = helmUpgradeArgs({ ...request, upgrade: true, chart: { localDir: '/c' } });
    assert.equal(upgrade[2], '/c');
    assert.ok(upgrade.includes('--reset-then-reuse-values') && !upgrade.includes('--create-namespace') && !upgrade.includes('--repo'));
    assert.deepEqual(helmUninstallArgs(ref).slice(0, 6), ['uninstall', 'demo', '--namespace', 'vcluster-demo', '--kube-context', 'kind-dev']);
  });

  it('passes a chosen Kubernetes version as the chart value, after the values files', () => {
    const versioned = { ...request, kubernetesVersion: 'v1.33.2' };
    assert.deepEqual(vclusterCreateArgs(versioned).slice(-4), ['--values', '/w/values.yaml', '--set', 'controlPlane.distro.k8s.version=v1.33.2']);
    assert.deepEqual(helmUpgradeArgs(versioned).slice(-2), ['--set', 'controlPlane.distro.k8s.version=v1.33.2']);
    assert.equal(normalizeKubernetesVersion('1.33'), 'v1.33');
    assert.equal(normalizeKubernetesVersion(' v1.33.2 '), 'v1.33.2');
    assert.equal(normalizeKubernetesVersion('latest'), undefined);
    assert.equal(normalizeKubernetesVersion('v1.33.2; rm -rf /'), undefined);
  });

  it('gives the tools the merged kubeconfig files and, for the CLI, the configured helm', () => {
    const env = provisionEnv({ kind: 'vcluster', command: 'vcluster', helmCommand: '/opt/helm/bin/helm' }, { kubeconfigPaths: ['/a', '/b'], timeoutMs: 1, baseEnv: { PATH: '/usr/bin' } });
    assert.equal(env.KUBECONFIG, '/a:/b');
    assert.equal(env.PATH, '/opt/helm/bin:/usr/bin');
    assert.equal(provisionEnv({ kind: 'helm', command: 'helm' }, { kubeconfigPaths: ['/a'], timeoutMs: 1, baseEnv: { PATH: '/usr/bin' } }).PATH, '/usr/bin');
  });
});

describe('pause annotations', () => {
  it('writes the pause time as the CLI does: local time with a literal Z', () => {
    const when = new Date(2026, 10, 23, 9, 5, 7, 42);
    assert.equal(pausedDate(when), '2026-11-23T09:05:07.042Z');
  });
});

describe('OperationTracker', () => {
  it('refuses a second operation on the same vCluster and names the one running', async () => {
    const tracker = new OperationTracker();
    let release!: () => void;
    const first = tracker.run(ref, 'delete', () => new Promise<void>((resolve) => { release = resolve; }));
    assert.equal(tracker.current(ref), 'delete');
    await assert.rejects(tracker.run(ref, 'pause', async () => 'never'), (error: Error) => {
      assert.ok(error instanceof OperationInProgressError);
      assert.match(error.message, /busy deleting; wait for that to finish before you pause it/);
      return true;
    });
    // Another vCluster is not blocked.
    assert.equal(await tracker.run({ ...ref, name: 'other' }, 'pause', async () => 'ok'), 'ok');
    release();
    await first;
    assert.equal(tracker.current(ref), undefined);
    assert.equal(await tracker.run(ref, 'pause', async () => 'ok'), 'ok');
  });

  it('frees the vCluster when the operation fails', async () => {
    const tracker = new OperationTracker();
    await assert.rejects(tracker.run(ref, 'create', async () => { throw new Error('helm failed'); }), /helm failed/);
    assert.equal(tracker.current(ref), undefined);
  });
});

describe('connection kubeconfig', () => {
  const dir = new TempDir();
  after(() => dir.remove());
  const virtual = {
    apiVersion: 'v1', kind: 'Config', 'current-context': 'Default',
    clusters: [{ name: 'my-vcluster', cluster: { server: 'https://localhost:8443', 'certificate-authority-data': 'Q0E=' } }],
    users: [{ name: 'my-vcluster', user: { 'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ' } }],
    contexts: [{ name: 'Default', context: { cluster: 'my-vcluster', user: 'my-vcluster' } }],
  };

  it('renames everything to the CLI\'s context name and swaps only the server', () => {
    const name = vclusterContextName(ref);
    assert.equal(name, 'vcluster_demo_vcluster-demo_kind-dev');
    const entry = connectionKubeconfig(virtual, name, 'https://127.0.0.1:11234').kubeconfig as { clusters: Array<{ name: string; cluster: Record<string, string> }>; users: Array<{ name: string; user: Record<string, string> }>; contexts: Array<{ name: string; context: Record<string, string> }> };
    assert.deepEqual(entry.clusters[0], { name, cluster: { server: 'https://127.0.0.1:11234', 'certificate-authority-data': 'Q0E=' } });
    assert.equal(entry.users[0]?.name, name);
    assert.equal(entry.users[0]?.user['client-key-data'], 'S0VZ');
    assert.deepEqual(entry.contexts[0], { name, context: { cluster: name, user: name } });
  });

  it('keeps other entries and unknown fields, writes 0600, and removes cleanly', async () => {
    const path = dir.write('vclusters.kubeconfig', stringify({
      apiVersion: 'v1', kind: 'Config', preferences: { colors: true }, 'x-team-note': 'keep me',
      clusters: [{ name: 'other', cluster: { server: 'https://other', 'x-extra': 1 } }], users: [{ name: 'other', user: {} }],
      contexts: [{ name: 'other', context: { cluster: 'other', user: 'other' } }],
    }));
    const file = new ConnectionsKubeconfig(path, loadKubeconfigFormat);
    const name = vclusterContextName(ref);
    await file.upsert(connectionKubeconfig(virtual, name, 'https://127.0.0.1:1').kubeconfig);
    await file.upsert(connectionKubeconfig(virtual, name, 'https://127.0.0.1:2').kubeconfig);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const written = parse(readFileSync(path, 'utf8')) as Record<string, unknown> & { clusters: Array<{ name: string; cluster: Record<string, unknown> }> };
    assert.equal(written['x-team-note'], 'keep me');
    assert.deepEqual(written.preferences, { colors: true });
    assert.deepEqual(written.clusters.map((entry) => entry.name), ['other', name]);
    assert.equal(written.clusters[0]?.cluster['x-extra'], 1);
    assert.equal(written.clusters[1]?.cluster.server, 'https://127.0.0.1:2');
    assert.deepEqual(await file.contextNames(), ['other', name]);
    assert.equal(await file.remove(name), true);
    assert.equal(await file.remove(name), false);
    assert.deepEqual(await file.contextNames(), ['other']);
  });

  it('says how to recover from a corrupt file instead of overwriting it', async () => {
    const path = dir.write('broken.kubeconfig', 'clusters: [\n  - {');
    const file = new ConnectionsKubeconfig(path, loadKubeconfigFormat);
    await assert.rejects(file.upsert(connectionKubeconfig(virtual, 'x', 'https://h').kubeconfig), /broken\.kubeconfig: not valid YAML at line \d+, column \d+ \(\w+\); move it aside/);
    assert.equal(readFileSync(path, 'utf8'), 'clusters: [\n  - {');
  });
});

describe('VClusterLifecycle without a cluster', () => {
  const dir = new TempDir();
  after(() => dir.remove());
  const actions = (tools: { vcluster?: string; helm?: string }) => createVClusterServices({
    loadCoreBundle: () => import('../../src/coreBundle'),
    kubeconfig: () => undefined,
    tools: () => ({ ...tools, preference: 'auto' }),
    chart: () => ({}),
    connections: new ConnectionsKubeconfig(dir.file('connections'), loadKubeconfigFormat),
    connectServers: () => ({}),
    logger: new MemoryLogger(),
    requestTimeoutMs: () => 1000,
  });

  it('says what to install when neither the vcluster CLI nor helm can be run', async () => {
    await assert.rejects(actions({ vcluster: dir.file('no-vcluster'), helm: dir.file('no-helm') }).lifecycle.provisioner(), (error: Error) => {
      assert.ok(error instanceof NoProvisionerError);
      assert.match(error.message, /Neither the vcluster CLI nor helm was found.*vcluster\.vclusterPath or vcluster\.helmPath/);
      return true;
    });
  });

  it('refuses a values file that is missing, not YAML, or not a mapping, naming the line', async () => {
    const subject = actions({});
    const broken = dir.write('broken.yaml', 'controlPlane:\n  distro: [k8s\n');
    const list = dir.write('list.yaml', '- a\n- b\n');
    const good = dir.write('good.yaml', 'controlPlane:\n  proxy:\n    bindAddress: 127.0.0.1\n');
    await subject.lifecycle.checkValuesFiles([good]);
    await assert.rejects(subject.lifecycle.checkValuesFiles([good, broken]), (error: Error) => error instanceof ValuesFileError && /broken\.yaml is not valid YAML \(line \d+/.test(error.message));
    await assert.rejects(subject.lifecycle.checkValuesFiles([list]), /must hold a YAML mapping/);
    await assert.rejects(subject.lifecycle.checkValuesFiles([dir.file('absent.yaml')]), /cannot be read \(ENOENT\)/);
    writeFileSync(dir.file('empty.yaml'), '');
    await subject.lifecycle.checkValuesFiles([dir.file('empty.yaml')]);
  });
});

describe('API errors across bundles', () => {
  it('classifies a KubeApiError thrown by the other bundle\'s copy of the class', async () => {
    const { describeKubeError } = await import('../../src/kube/errors');
    // dist/core-bundle.js throws its own KubeApiError; dist/extension.js catches with another copy.
    class KubeApiError extends Error {
      constructor(readonly status: number, message: string) {
        super(message);
        this.name = 'KubeApiError';
      }
    }
    assert.equal(describeKubeError(new KubeApiError(404, 'namespaces "x" not found')).kind, 'notFound');
    assert.equal(describeKubeError(new KubeApiError(403, 'no')).kind, 'forbidden');
    assert.equal(describeKubeError(Object.assign(new Error('plain'), { status: 404 })).kind, 'other', 'only the named class counts');
  });
});
