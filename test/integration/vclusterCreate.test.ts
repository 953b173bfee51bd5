// The real vcluster CLI (built here from github.com/loft-sh/vcluster) installs the real chart of
// the same version with the real helm onto the tier's local host cluster. kwok runs the vCluster's
// pod (faked Running: no syncer runs inside it), so what is checked here is everything the CLI and
// chart put on the host, and that the extension's discovery agrees with `vcluster list`.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { versions } from '../../scripts/lib/versions.mjs';
import { KubeClient, kubeConfigForContext } from '../../src/kube/client';
import { loadKubeconfig } from '../../src/kube/kubeconfig';
import { discoverVClusters } from '../../src/vcluster/discovery';
import { cachedHostBinaries } from '../env/hostBinaries';
import { findProcesses } from '../env/hostCluster';
import { startSyncer } from '../env/syncer';
import { ensureVClusterBinaries, type VClusterBinaries } from '../env/vclusterBinaries';
import { createVCluster, vclusterCli, type VClusterCli } from '../env/vclusterFixture';
import { testHostKubeconfig, waitFor } from './support/host';

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
    const config = Buffer.from(secret.data['config.yaml'], 'base64').toString('utf8');
    assert.match(config, /bindAddress: 127\.0\.0\.1/, 'our values reached the rendered config');
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

  it('a syncer that cannot start explains itself with its last log lines, and leaves nothing running', async () => {
    const host = cachedHostBinaries()!;
    const dir = mkdtempSync(join(tmpdir(), 'syncer-fail-'));
    await assert.rejects(
      startSyncer({ name: 'no-such-vcluster', namespace, hostKubeconfig: testHostKubeconfig(), dir, killOnExit: true, host, vcluster: binaries }),
      /There is no Secret .*\/vc-config-no-such-vcluster: create the vCluster first/,
    );
    // The real syncer with a config it rejects: a copy of the release's Secret with a bad value.
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const secret = await core.readNamespacedSecret({ namespace, name: `vc-config-${name}` });
    const config = Buffer.from(secret.data!['config.yaml']!, 'base64').toString('utf8');
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'vc-config-broken' }, data: { 'config.yaml': Buffer.from(`${config}\nnotAConfigKey: true\n`).toString('base64') } },
    });
    await assert.rejects(
      startSyncer({ name: 'broken', namespace, hostKubeconfig: testHostKubeconfig(), dir, killOnExit: true, host, vcluster: binaries, readyTimeoutMs: 60_000 }),
      (error: Error) => {
        // Restarted like a pod's container (10 s, then 20 s), then given up on: a config error is not a race.
        assert.match(error.message, /^The vCluster syncer exited 3 times during start-up, the last time with exit code 1; it was restarted with kubelet's back-off and start-up gives up after 3 exits\. Last log lines:/);
        assert.match(error.message, /notAConfigKey/);
        return true;
      },
    );
    assert.equal(existsSync(dir), false, 'the failed syncer\'s folder is removed');
    assert.deepEqual(findProcesses((argv) => argv.some((arg) => arg.includes(dir))), [], 'no process of the failed syncer is left');
  });
});
