import { KubeConfig, type V1Deployment, type V1Pod, type V1Secret, type V1StatefulSet } from '@kubernetes/client-node';

/** Test-data builders: each returns a minimal object the way the API server would send it. */

export function aPod(options: {
  name?: string;
  namespace?: string;
  release?: string;
  phase?: string;
  reason?: string;
  containers?: NonNullable<V1Pod['status']>['containerStatuses'];
  initContainers?: NonNullable<V1Pod['status']>['initContainerStatuses'];
  initContainerCount?: number;
  deleting?: boolean;
} = {}): V1Pod {
  return {
    metadata: {
      name: options.name ?? 'vc-0',
      namespace: options.namespace ?? 'vcluster-vc',
      labels: { app: 'vcluster', release: options.release ?? 'vc' },
      ...(options.deleting ? { deletionTimestamp: new Date('2026-01-01T00:00:00Z') } : {}),
    },
    spec: {
      containers: [{ name: 'syncer' }],
      ...(options.initContainerCount ? { initContainers: Array.from({ length: options.initContainerCount }, (_, index) => ({ name: `init-${index}` })) } : {}),
    },
    status: {
      phase: options.phase ?? 'Running',
      ...(options.reason ? { reason: options.reason } : {}),
      containerStatuses: options.containers ?? [
        { name: 'syncer', ready: true, restartCount: 0, image: 'x', imageID: 'x', state: { running: { startedAt: new Date() } } },
      ],
      ...(options.initContainers ? { initContainerStatuses: options.initContainers } : {}),
    },
  };
}

export function aContainerStatus(state: NonNullable<NonNullable<V1Pod['status']>['containerStatuses']>[number]['state'], ready = false) {
  return { name: 'syncer', ready, restartCount: 0, image: 'x', imageID: 'x', state };
}

export function aStatefulSet(options: {
  release?: string;
  namespace?: string;
  image?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  replicas?: number;
  created?: string;
} = {}): V1StatefulSet {
  const release = options.release ?? 'vc';
  return {
    metadata: {
      name: release,
      namespace: options.namespace ?? `vcluster-${release}`,
      labels: { app: 'vcluster', release, ...options.labels },
      annotations: options.annotations ?? {},
      creationTimestamp: new Date(options.created ?? '2026-11-01T00:00:00Z'),
    },
    spec: {
      replicas: options.replicas ?? 1,
      serviceName: `${release}-headless`,
      selector: { matchLabels: { app: 'vcluster', release } },
      template: { spec: { containers: [{ name: 'syncer', image: options.image ?? 'ghcr.io/loft-sh/vcluster-oss:0.21.1' }] } },
    },
  };
}

export function aDeployment(options: { release?: string; namespace?: string; image?: string; replicas?: number } = {}): V1Deployment {
  const release = options.release ?? 'vc';
  return {
    metadata: { name: release, namespace: options.namespace ?? `vcluster-${release}`, labels: { app: 'vcluster', release } },
    spec: {
      ...(options.replicas === undefined ? {} : { replicas: options.replicas }),
      selector: { matchLabels: { app: 'vcluster', release } },
      template: { spec: { containers: [{ name: 'syncer', image: options.image ?? 'ghcr.io/loft-sh/vcluster:0.19.7' }] } },
    },
  };
}

/**
 * Secret vc-config-NAME as the chart writes it (labelled app=vcluster), with a config in its
 * data: what a reader that asks for metadata only must never see.
 */
export function aConfigSecret(options: { release?: string; namespace?: string; annotations?: Record<string, string> } = {}): V1Secret {
  const release = options.release ?? 'vc';
  return {
    metadata: {
      name: `vc-config-${release}`,
      namespace: options.namespace ?? `vcluster-${release}`,
      labels: { app: 'vcluster', release },
      ...(options.annotations ? { annotations: options.annotations } : {}),
    },
    type: 'Opaque',
    data: { 'config.yaml': Buffer.from('sleep:\n  auto:\n    afterInactivity: 1h\nsecretToken: THE-CONFIG-DATA\n').toString('base64') },
  };
}

/** A client configuration for an API server nobody listens on (port 1 on loopback). */
export function anUnreachableKubeConfig(): KubeConfig {
  return aKubeConfigFor('https://127.0.0.1:1');
}

/** A client configuration for a test's own server (a FAKE API server on loopback, plain HTTP allowed). */
export function aKubeConfigFor(server: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'test', server, skipTLSVerify: true }],
    users: [{ name: 'me', token: 't' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'me' }],
    currentContext: 'test',
  });
  return config;
}
