// Sample workloads for the sandbox's `demo` vCluster, so a new user who expands it sees every kind
// of pair at once: synced pods, a Service and the ConfigMap and Secret the pods use (synced), a
// Deployment and an unused ConfigMap (virtual only: the syncer copies neither), a second namespace,
// and the vCluster's own control-plane objects on the host. Creating them twice changes nothing.
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';

function ignoreExisting(error: { code?: number }): void {
  if (error.code !== 409) throw error;
}

export async function applyDemoWorkloads(virtualKubeconfig: string): Promise<string[]> {
  const config = new KubeConfig();
  config.loadFromFile(virtualKubeconfig);
  const core = config.makeApiClient(CoreV1Api);
  const apps = config.makeApiClient(AppsV1Api);
  const web = { app: 'web' };
  await core.createNamespace({ body: { metadata: { name: 'shop' } } }).catch(ignoreExisting);
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'web-config' }, data: { GREETING: 'hello from the demo vCluster' } } }).catch(ignoreExisting);
  await core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'web-credentials' }, stringData: { API_TOKEN: 'demo-not-a-secret' } } }).catch(ignoreExisting);
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'unused-settings' }, data: { note: 'no pod uses me, so the syncer leaves me in the virtual cluster' } } }).catch(ignoreExisting);
  await apps.createNamespacedDeployment({ namespace: 'default', body: {
    metadata: { name: 'web', labels: web },
    spec: {
      replicas: 2,
      selector: { matchLabels: web },
      template: {
        metadata: { labels: web },
        spec: { containers: [{
          name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }],
          envFrom: [{ configMapRef: { name: 'web-config' } }, { secretRef: { name: 'web-credentials' } }],
        }] },
      },
    },
  } }).catch(ignoreExisting);
  await core.createNamespacedService({ namespace: 'default', body: { metadata: { name: 'web' }, spec: { selector: web, ports: [{ port: 80, targetPort: 80 }] } } }).catch(ignoreExisting);
  const cart = { app: 'cart' };
  await apps.createNamespacedDeployment({ namespace: 'shop', body: {
    metadata: { name: 'cart', labels: cart },
    spec: { replicas: 1, selector: { matchLabels: cart }, template: { metadata: { labels: cart }, spec: { containers: [{ name: 'cart', image: 'redis:7' }] } } },
  } }).catch(ignoreExisting);
  return ['namespace shop', 'default/web (Deployment of 2, Service)', 'default/web-config (ConfigMap)', 'default/web-credentials (Secret)', 'default/unused-settings (ConfigMap)', 'shop/cart (Deployment)'];
}
