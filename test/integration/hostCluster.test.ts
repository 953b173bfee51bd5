// Runs against the real local host cluster the integration tier starts once per run
// (scripts/run-tests.mjs → test/env/hostCluster.ts): a kube-apiserver, controller-manager and
// scheduler built here from k8s.io/kubernetes, etcd, and kwok faking the nodes and pods' kubelets.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, KubeConfig, VersionApi, type V1Pod } from '@kubernetes/client-node';
import { versions } from '../../scripts/lib/versions.mjs';
import { discoverVClusters } from '../../src/vcluster/discovery/discoverVClusters';
import { KubeClient, kubeConfigForContext } from '../../src/kube/client';
import { loadKubeconfig } from '../../src/kube/kubeconfig';
import { testHostKubeconfig, waitFor } from './support/host';

describe('local host cluster (real kube-apiserver, kwok nodes)', () => {
  let kubeConfig: KubeConfig;
  const namespace = `it-deploy-${process.pid}`;

  before(() => {
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(testHostKubeconfig());
  });

  after(async () => {
    await kubeConfig.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it('serves the Kubernetes version that was pinned and built', async () => {
    const info = await kubeConfig.makeApiClient(VersionApi).getCode();
    assert.equal(info.gitVersion, versions.kubernetes);
  });

  it('has at least two Ready fake nodes from kwok', async () => {
    const nodes = await kubeConfig.makeApiClient(CoreV1Api).listNode();
    const ready = nodes.items.filter((node) => node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    assert.ok(ready.length >= 2, `expected ≥ 2 Ready nodes, got ${ready.map((n) => n.metadata?.name).join(', ') || 'none'}`);
  });

  it('runs a Deployment: the controller creates pods, the scheduler places them, kwok makes them Running with IPs', async () => {
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'registry.invalid/web:1' }] },
          },
        },
      },
    });
    const pods = await waitFor('two Running pods with IPs', 60_000, async () => {
      const list = await core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
      const running = list.items.filter((pod: V1Pod) => pod.status?.phase === 'Running' && pod.status.podIP);
      return running.length === 2 ? running : undefined;
    });
    for (const pod of pods) {
      assert.ok(pod.spec?.nodeName, `${pod.metadata?.name} was not scheduled onto a node`);
      assert.match(pod.status?.podIP ?? '', /^\d+\.\d+\.\d+\.\d+$/);
    }
    const deployment = await waitFor('the Deployment to report 2 available replicas', 60_000, async () => {
      const current = await apps.readNamespacedDeployment({ namespace, name: 'web' });
      return current.status?.availableReplicas === 2 ? current : undefined;
    });
    assert.equal(deployment.status?.readyReplicas, 2);
  });

  it('is read by the extension core: kubeconfig loader, client and discovery (no vClusters yet)', async () => {
    const loaded = await loadKubeconfig([testHostKubeconfig()]);
    assert.equal(loaded.state, 'ok');
    if (loaded.state !== 'ok') return;
    const context = loaded.currentContext ?? loaded.contexts[0]!.name;
    const client = new KubeClient(kubeConfigForContext(loaded.document, context));
    const result = await discoverVClusters({ client, hostContext: context, contextNamespace: undefined, signal: AbortSignal.timeout(10_000) });
    assert.deepEqual(result.scope, { allNamespaces: true });
    assert.deepEqual(result.vclusters, []);
  });
});
