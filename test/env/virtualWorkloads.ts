import type { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';

/**
 * Read, change, replace, and again on a conflict: the controllers and the syncer write the same
 * objects in between.
 */
async function updateWithRetry<T>(read: () => Promise<T>, change: (object: T) => void, replace: (object: T) => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const object = await read();
    change(object);
    try {
      await replace(object);
      return;
    } catch (error) {
      if ((error as { code?: number }).code !== 409 || attempt >= 5) throw error;
    }
  }
}

/** Scales a Deployment in namespace default. Used by the mapping E2E and bench. */
export async function scaleDeployment(apps: AppsV1Api, deploymentName: string, replicas: number): Promise<void> {
  await updateWithRetry(
    () => apps.readNamespacedDeployment({ namespace: 'default', name: deploymentName }),
    (deployment) => { deployment.spec!.replicas = replicas; },
    (deployment) => apps.replaceNamespacedDeployment({ namespace: 'default', name: deploymentName, body: deployment }),
  );
}

/** Sets a label on a pod in namespace default. */
export async function labelPod(core: CoreV1Api, podName: string, key: string, value: string): Promise<void> {
  await updateWithRetry(
    () => core.readNamespacedPod({ namespace: 'default', name: podName }),
    (pod) => { pod.metadata = { ...pod.metadata, labels: { ...pod.metadata?.labels, [key]: value } }; },
    (pod) => core.replaceNamespacedPod({ namespace: 'default', name: podName, body: pod }),
  );
}
