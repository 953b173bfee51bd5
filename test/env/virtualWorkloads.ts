import type { AppsV1Api } from '@kubernetes/client-node';

/**
 * Scales a Deployment in namespace default: read, change, replace, and again on a conflict (the
 * deployment controller writes its status in between). Used by the mapping E2E and bench.
 */
export async function scaleDeployment(apps: AppsV1Api, deploymentName: string, replicas: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const deployment = await apps.readNamespacedDeployment({ namespace: 'default', name: deploymentName });
    deployment.spec!.replicas = replicas;
    try {
      await apps.replaceNamespacedDeployment({ namespace: 'default', name: deploymentName, body: deployment });
      return;
    } catch (error) {
      if ((error as { code?: number }).code !== 409 || attempt >= 5) throw error;
    }
  }
}
