import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { KubeClient } from '../../src/kube/client';
import { holdSyncerStopped, type HeldSyncer } from '../integration/support/heldSyncer';
import { testHost, waitFor } from '../integration/support/host';
import { noteTestResult } from './harness/extensionLog';
import { openVClusterWorkbench, type VClusterWorkbench } from './harness/vclusterWorkbench';

/**
 * *Clean Up Orphaned Host Objects…* in a real VS Code against real orphans: a vCluster made by the
 * real CLI and chart, its real syncer copies ConfigMaps, Services and pods to the host; then the
 * syncer alone is held stopped (SIGSTOP) while objects are deleted in its virtual cluster — the
 * way host objects outlive their virtual objects. The window reaches the virtual API server
 * (the syncer's proxy is frozen with it) through vcluster.connectServers: a relay on 127.0.0.1
 * to a relay in the pod's network namespace (kube-apiserver's certificate names 127.0.0.1).
 */
describe('orphan clean-up in a real VS Code', () => {
  const name = 'orph';
  const namespace = `vcluster-orph-${process.pid}`;
  const view = 'Clusters';
  let session: VClusterWorkbench | undefined;
  let held: HeldSyncer | undefined;
  let relay: Server | undefined;
  /** Where the window's relay forwards to: set once the syncer is held (nothing answers before). */
  let relayTarget: { host: string; port: number } | undefined;
  const sockets = new Set<Socket>();
  let hostCore: CoreV1Api;
  const onHost = (object: string) => `${object}-x-default-x-${name}`;

  async function hostNames(): Promise<string[]> {
    const [configMaps, services, pods] = await Promise.all([
      hostCore.listNamespacedConfigMap({ namespace, labelSelector: `vcluster.loft.sh/managed-by=${name}` }),
      hostCore.listNamespacedService({ namespace, labelSelector: `vcluster.loft.sh/managed-by=${name}` }),
      hostCore.listNamespacedPod({ namespace, labelSelector: `vcluster.loft.sh/managed-by=${name}` }),
    ]);
    return [
      ...configMaps.items.map((item) => `ConfigMap ${item.metadata?.name}`),
      ...services.items.map((item) => `Service ${item.metadata?.name}`),
      ...pods.items.map((item) => `Pod ${item.metadata?.name}`),
    ].filter((entry) => /-x-default-x-/.test(entry)).sort();
  }

  before(async () => {
    relay = createServer((client) => {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      if (!relayTarget) {
        client.destroy();
        return;
      }
      const upstream = connect(relayTarget.port, relayTarget.host);
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    const port = await new Promise<number>((resolve) => relay!.listen(0, '127.0.0.1', () => resolve((relay!.address() as { port: number }).port)));
    session = await openVClusterWorkbench({
      name, namespace, screenshotPrefix: 'orphan-cleanup',
      settings: { 'vcluster.connectServers': { [`${namespace}/${name}`]: `https://127.0.0.1:${port}` } },
    });
    hostCore = session.hostConfig.makeApiClient(CoreV1Api);
    const virtualCore = session.virtualConfig.makeApiClient(CoreV1Api);
    for (const configMap of ['gone-config', 'kept-config']) await virtualCore.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: configMap }, data: { owner: configMap } } });
    for (const pod of ['gone-user', 'kept-user']) {
      await virtualCore.createNamespacedPod({ namespace: 'default', body: { metadata: { name: pod }, spec: { containers: [{ name: 'app', image: 'busybox', envFrom: [{ configMapRef: { name: pod === 'gone-user' ? 'gone-config' : 'kept-config' } }] }] } } });
    }
    for (const service of ['gone-svc', 'kept-svc']) await virtualCore.createNamespacedService({ namespace: 'default', body: { metadata: { name: service }, spec: { ports: [{ port: 80 }] } } });
    const all = ['ConfigMap gone-config', 'ConfigMap kept-config', 'Pod gone-user', 'Pod kept-user', 'Service gone-svc', 'Service kept-svc'].map((entry) => entry.replace(/ (.*)$/, (_match, object: string) => ` ${onHost(object)}`)).sort();
    await waitFor('the syncer to copy everything to the host', 90_000, async () => {
      const names = await hostNames();
      return all.every((entry) => names.includes(entry)) ? true : undefined;
    }, 500);
    const hostKubeconfig = testHost();
    const hostConfigClient = new KubeClient(session.hostConfig);
    held = await holdSyncerStopped({ clusterName: hostKubeconfig.name, vcluster: session.vcluster, host: hostConfigClient });
    relayTarget = held.relayAddress;
    // Deleted in the virtual cluster while the syncer cannot act: their host copies are orphans.
    const core = '/api/v1/namespaces/default';
    await held.virtual.request('DELETE', `${core}/pods/gone-user`, { query: { gracePeriodSeconds: '0' } }, AbortSignal.timeout(15_000));
    await held.virtual.request('DELETE', `${core}/configmaps/gone-config`, {}, AbortSignal.timeout(15_000));
    await held.virtual.request('DELETE', `${core}/services/gone-svc`, {}, AbortSignal.timeout(15_000));
  });

  afterEach(noteTestResult);

  after(async () => {
    held?.restartFresh();
    for (const socket of sockets) socket.destroy();
    relay?.close();
    await session?.close();
  });

  it('lists exactly the orphans in a confirmation that names each, and deletes exactly them', async () => {
    const wb = session!.workbench;
    const before = await hostNames();
    await wb.openViewContainer('vCluster');
    await wb.waitForTreeRow(view, name, 60_000);
    await wb.runContextMenuItem(view, name, 'Connect to vCluster');
    // A row redrawn under the pointer (its status refreshed) can lose the menu's argument: the
    // command then asks which vCluster, as from the palette.
    const asked = await waitFor('the connect to start or ask', 10_000, async () => {
      if (await wb.page.locator('.quick-input-widget', { hasText: 'Connect to vCluster' }).isVisible().catch(() => false)) return 'asked';
      return (await wb.treeRows(view)).find((row) => row.label === name)?.description.includes('connected') ? 'connected' : undefined;
    }, 250).catch(() => 'neither');
    if (asked === 'asked') await wb.answerQuickPick(name, /Connect to vCluster/);
    await waitFor('the vCluster connected (through the relay)', 30_000, async () => ((await wb.treeRows(view)).find((row) => row.label === name)?.description.includes('connected') ? true : undefined), 250);
    await wb.runContextMenuItem(view, name, 'Clean Up Orphaned Host Objects…');
    const dialog = wb.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 90_000 });
    const text = await dialog.innerText();
    assert.match(text, /Delete 3 orphaned host objects of vCluster orph/);
    for (const orphan of ['gone-config', 'gone-svc', 'gone-user']) assert.match(text, new RegExp(onHost(orphan)), `names ${orphan}`);
    for (const kept of ['kept-config', 'kept-svc', 'kept-user']) assert.doesNotMatch(text, new RegExp(onHost(kept)), `does not offer ${kept}`);
    await wb.screenshot('orphan-cleanup-confirm');
    await wb.confirmDialog('Delete');
    await wb.waitForNotification(/deleted 3/i, 60_000);
    const after = await hostNames();
    const orphans = ['ConfigMap gone-config', 'Service gone-svc', 'Pod gone-user'].map((entry) => entry.replace(/ (.*)$/, (_match, object: string) => ` ${onHost(object)}`));
    assert.deepEqual(after, before.filter((entry) => !orphans.includes(entry)), 'exactly the orphans are gone; every other host object is there');
    assert.ok(after.some((entry) => entry.includes(onHost('kept-config'))), 'the synced objects stay');
  });
});
