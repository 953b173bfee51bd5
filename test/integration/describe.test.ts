// Describe vCluster against a real vCluster: created by the real CLI and chart with a values file
// of its own, its syncer run by the node agent; the description is compared with what the real
// `vcluster describe --output json` says of the same vCluster.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeClient, kubeConfigForContext } from '../../src/kube/client';
import { loadKubeconfig } from '../../src/kube/kubeconfig';
import { describeText } from '../../src/vcluster/describe/describeText';
import { describeVCluster } from '../../src/vcluster/describe/describeVCluster';
import { ensureVClusterBinaries, type VClusterBinaries } from '../env/vclusterBinaries';
import { removeVCluster, upVCluster, vclusterCli, type LocalVCluster } from '../env/vclusterFixture';
import { testHost, waitFor } from './support/host';

const NAME = 'described';
const NAMESPACE = `vcluster-described-${process.pid}`;

/** What `vcluster describe --output json` prints (DescribeOutput's JSON tags). */
interface CliDescription {
  name: string;
  namespace: string;
  version?: string;
  backingStore?: string;
  status?: string;
  imageTags?: Record<string, string>;
  userConfigYaml?: string;
}

describe('Describe vCluster against a real vCluster and the real CLI', () => {
  let binaries: VClusterBinaries;
  let vcluster: LocalVCluster | undefined;
  let client: KubeClient;
  let hostContext: string;
  let scratch: string;

  before(async () => {
    binaries = await ensureVClusterBinaries();
    scratch = mkdtempSync(join(tmpdir(), 'describe-'));
    const values = join(scratch, 'vcluster.yaml');
    // Something the user set that shows in both the vcluster.yaml and the sync settings.
    writeFileSync(values, 'sync:\n  toHost:\n    ingresses:\n      enabled: true\n');
    vcluster = await upVCluster({ cluster: testHost(), vcluster: binaries, name: NAME, namespace: NAMESPACE, createArgs: ['--values', values] });
    const loaded = await loadKubeconfig([testHost().kubeconfig]);
    assert.equal(loaded.state, 'ok');
    if (loaded.state !== 'ok') return;
    hostContext = loaded.contexts[0]!.name;
    client = new KubeClient(kubeConfigForContext(loaded.document, hostContext));
  });

  after(async () => {
    if (vcluster && process.exitCode) console.log(`syncer log (last lines):\n${vcluster.syncer.logTail(40)}`);
    await removeVCluster(testHost(), NAMESPACE, NAME);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const describeOnce = () => describeVCluster({ client, vcluster: { hostContext, namespace: NAMESPACE, name: NAME }, signal: AbortSignal.timeout(30_000) });

  it('shows what the CLI shows, the user\'s vcluster.yaml, and ingresses synced to the host', async () => {
    // The syncer answers before its pod's status says Running to the host: wait for the status.
    const description = await waitFor('the vCluster to be Running', 120_000, async () => {
      const read = await describeOnce();
      return read.status === 'Running' ? read : undefined;
    }, 1_000);
    assert.equal(description.name, NAME);
    assert.equal(description.namespace, NAMESPACE);
    assert.match(description.version ?? '', /^\d+\.\d+\.\d+/);
    assert.equal(description.backingStore, 'embedded-database');
    assert.ok(description.images.syncer?.endsWith(`:${description.version}`), `the syncer image is tagged with the version: ${description.images.syncer}`);
    assert.match(description.userConfigYaml ?? '', /sync:\n {2}toHost:\n {4}ingresses:\n {6}enabled: true\n/);
    assert.ok(description.sync.toHost.some((entry) => entry.key === 'ingresses' && entry.enabled === true), 'ingresses sync to the host');
    assert.ok(description.sync.toHost.some((entry) => entry.key === 'pods' && entry.enabled === true), 'pods sync to the host');
    assert.ok(description.sync.fromHost.some((entry) => entry.key === 'events' && entry.enabled === true), 'events sync from the host');

    const text = describeText(description);
    assert.match(text, new RegExp(`^Name: +${NAME}$`, 'm'));
    assert.match(text, /^Synced to the host:\n(?: {2}.*\n)*? {2}ingresses\n/m);

    const cli = await cliDescription(binaries);
    assert.equal(description.name, cli.name);
    assert.equal(description.namespace, cli.namespace);
    assert.equal(description.version, cli.version);
    assert.equal(description.status, cli.status);
    assert.equal(description.backingStore, cli.backingStore);
    assert.deepEqual(description.images, cli.imageTags);
    assert.ok(cli.userConfigYaml?.includes('ingresses:'), 'the CLI read the same release');
  });

  it('a vCluster whose vc-config Secret is gone: the error names the Secret', async () => {
    const secretPath = `/api/v1/namespaces/${NAMESPACE}/secrets/vc-config-${NAME}`;
    const secret = await client.getJson<{ metadata: Record<string, unknown>; data: Record<string, string> }>(secretPath, {}, AbortSignal.timeout(10_000));
    await client.request('DELETE', secretPath, {}, AbortSignal.timeout(10_000));
    try {
      await assert.rejects(describeOnce(), new RegExp(`Secret vc-config-${NAME} is missing in namespace ${NAMESPACE}`));
    } finally {
      // Put it back as it was, so the vCluster (and any later test) still has its config.
      await client.request('POST', `/api/v1/namespaces/${NAMESPACE}/secrets`, { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: secret.metadata.name, labels: secret.metadata.labels, annotations: secret.metadata.annotations }, data: secret.data } }, AbortSignal.timeout(10_000));
    }
  });

  it('a vCluster paused by the CLI: the same status as vcluster describe', async () => {
    const cli = vclusterCli(binaries, testHost().kubeconfig);
    try {
      await cli.run(['pause', NAME, '--namespace', NAMESPACE], 120_000);
    } finally {
      cli.dispose();
    }
    const description = await waitFor('the vCluster to be Paused', 60_000, async () => {
      const read = await describeOnce();
      return read.status === 'Paused' ? read : undefined;
    }, 1_000);
    assert.equal(description.status, (await cliDescription(binaries)).status);
    assert.ok(description.userConfigYaml?.includes('ingresses:'), 'the release is still read while paused');
  });

  async function cliDescription(vclusterBinaries: VClusterBinaries): Promise<CliDescription> {
    const cli = vclusterCli(vclusterBinaries, testHost().kubeconfig);
    try {
      const result = await cli.run(['describe', NAME, '--namespace', NAMESPACE, '--output', 'json'], 60_000);
      // The CLI's log lines go to stderr; stdout is the JSON alone.
      return JSON.parse(result.stdout) as CliDescription;
    } finally {
      cli.dispose();
    }
  }
});
