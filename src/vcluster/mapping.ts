import { hostName, clusterScopedHostName } from './translate';

/**
 * The virtual↔host picture of one vCluster: every virtual object beside the host object the
 * syncer made of it, with a status. Pure (no I/O, no VS Code): the tree and the inspector feed it
 * the objects they listed or watched, and it works from host markers alone when the virtual
 * cluster cannot be reached. Facts: ../shared/notes/vcluster-facts.md, checked in the v0.36.1
 * source.
 */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
}

/** An object as listed; list items carry no kind, so the lister sets `kind` itself. */
export interface KubeObject {
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
}

export type PairStatus = 'synced' | 'pending' | 'orphaned' | 'virtualOnly' | 'controlPlane';

export interface ObjectSide {
  namespace?: string;
  name: string;
  uid?: string;
  created?: string;
}

export interface MappingPair {
  /** Stable across refreshes: kind and the virtual side's namespace/name (or the host's, when there is no virtual side). */
  id: string;
  kind: string;
  status: PairStatus;
  virtual?: ObjectSide;
  host?: ObjectSide;
}

export const MANAGED_BY_LABEL = 'vcluster.loft.sh/managed-by';
export const VIRTUAL_NAMESPACE_LABEL = 'vcluster.loft.sh/namespace';
export const NAME_ANNOTATION = 'vcluster.loft.sh/object-name';
export const NAMESPACE_ANNOTATION = 'vcluster.loft.sh/object-namespace';
export const UID_ANNOTATION = 'vcluster.loft.sh/object-uid';
export const KIND_ANNOTATION = 'vcluster.loft.sh/object-kind';

/** A kind the syncer can copy to the host, with its chart switch (sync.toHost.<key>.enabled). */
export interface SyncableKind {
  kind: string;
  /** The resource path of its list: /api/v1 or /apis/<group>/<version>, then the plural. */
  apiPath: string;
  resource: string;
  namespaced: boolean;
  configKey: string;
  enabledByDefault: boolean;
  /** ConfigMaps and Secrets: only those pods use are synced unless `all` is set. */
  onlyWhenUsedByPods?: boolean;
}

/** The kinds `sync.toHost` knows, with the chart's defaults (chart/values.yaml, v0.36.1). */
export const SYNCABLE_KINDS: readonly SyncableKind[] = [
  { kind: 'Pod', apiPath: '/api/v1', resource: 'pods', namespaced: true, configKey: 'pods', enabledByDefault: true },
  { kind: 'Service', apiPath: '/api/v1', resource: 'services', namespaced: true, configKey: 'services', enabledByDefault: true },
  { kind: 'Endpoints', apiPath: '/api/v1', resource: 'endpoints', namespaced: true, configKey: 'endpoints', enabledByDefault: true },
  { kind: 'EndpointSlice', apiPath: '/apis/discovery.k8s.io/v1', resource: 'endpointslices', namespaced: true, configKey: 'endpointSlices', enabledByDefault: true },
  { kind: 'PersistentVolumeClaim', apiPath: '/api/v1', resource: 'persistentvolumeclaims', namespaced: true, configKey: 'persistentVolumeClaims', enabledByDefault: true },
  { kind: 'ConfigMap', apiPath: '/api/v1', resource: 'configmaps', namespaced: true, configKey: 'configMaps', enabledByDefault: true, onlyWhenUsedByPods: true },
  { kind: 'Secret', apiPath: '/api/v1', resource: 'secrets', namespaced: true, configKey: 'secrets', enabledByDefault: true, onlyWhenUsedByPods: true },
  { kind: 'Ingress', apiPath: '/apis/networking.k8s.io/v1', resource: 'ingresses', namespaced: true, configKey: 'ingresses', enabledByDefault: false },
  { kind: 'NetworkPolicy', apiPath: '/apis/networking.k8s.io/v1', resource: 'networkpolicies', namespaced: true, configKey: 'networkPolicies', enabledByDefault: false },
  { kind: 'PodDisruptionBudget', apiPath: '/apis/policy/v1', resource: 'poddisruptionbudgets', namespaced: true, configKey: 'podDisruptionBudgets', enabledByDefault: false },
  { kind: 'ServiceAccount', apiPath: '/api/v1', resource: 'serviceaccounts', namespaced: true, configKey: 'serviceAccounts', enabledByDefault: false },
  { kind: 'PriorityClass', apiPath: '/apis/scheduling.k8s.io/v1', resource: 'priorityclasses', namespaced: false, configKey: 'priorityClasses', enabledByDefault: false },
  { kind: 'StorageClass', apiPath: '/apis/storage.k8s.io/v1', resource: 'storageclasses', namespaced: false, configKey: 'storageClasses', enabledByDefault: false },
  { kind: 'PersistentVolume', apiPath: '/api/v1', resource: 'persistentvolumes', namespaced: false, configKey: 'persistentVolumes', enabledByDefault: false },
];

export interface SyncSettings {
  /** Kinds synced to the host, by kind name. */
  enabled: ReadonlySet<string>;
  /** ConfigMaps/Secrets with `all: true`: every one is synced, used by a pod or not. */
  syncAll: ReadonlySet<string>;
}

/**
 * Which kinds this vCluster syncs, from its effective config (host Secret vc-config-NAME, key
 * config.yaml, parsed), falling back to the chart's defaults for anything it does not say.
 */
export function syncSettings(config: unknown): SyncSettings {
  const toHost = objectAt(config, ['sync', 'toHost']);
  const enabled = new Set<string>();
  const syncAll = new Set<string>();
  for (const entry of SYNCABLE_KINDS) {
    const section = objectAt(toHost, [entry.configKey]);
    const flag = section?.enabled;
    if (flag === true || (flag === undefined && entry.enabledByDefault)) enabled.add(entry.kind);
    if (section?.all === true) syncAll.add(entry.kind);
  }
  return { enabled, syncAll };
}

function objectAt(value: unknown, path: readonly string[]): Record<string, unknown> | undefined {
  let current = value;
  for (const key of path) {
    if (!current || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current && typeof current === 'object' && !Array.isArray(current) ? (current as Record<string, unknown>) : undefined;
}

/** "/v1, Kind=Pod" or "networking.k8s.io/v1, Kind=Ingress" (Go's GVK String()) → "Pod". */
export function kindFromMarker(marker: string | undefined): string | undefined {
  const match = marker ? /Kind=([A-Za-z0-9]+)\s*$/.exec(marker) : null;
  return match?.[1];
}

export interface MappingInput {
  vclusterName: string;
  /** The vCluster's own host namespace. */
  hostNamespace: string;
  /** Host objects of the synced kinds in the vCluster's namespace (and its cluster-scoped ones). */
  hostObjects: readonly KubeObject[];
  /**
   * Objects of the virtual cluster: every object of each kind the host side lists (a kind left
   * out would make its host objects look orphaned); undefined when it cannot be reached.
   */
  virtualObjects?: readonly KubeObject[];
  sync: SyncSettings;
}

const key = (kind: string, namespace: string | undefined, name: string) => `${kind}/${namespace ?? ''}/${name}`;

function side(object: KubeObject): ObjectSide {
  const { name, namespace, uid, creationTimestamp } = object.metadata;
  return { name, ...(namespace ? { namespace } : {}), ...(uid ? { uid } : {}), ...(creationTimestamp ? { created: creationTimestamp } : {}) };
}

/** The virtual object a host object stands for, read from its markers (v0.21+, else v0.19/v0.20). */
function virtualOf(host: KubeObject): { kind: string; namespace?: string; name: string; uid?: string } | undefined {
  const annotations = host.metadata.annotations ?? {};
  const name = annotations[NAME_ANNOTATION];
  if (!name) return undefined;
  // v0.19/v0.20 wrote no kind marker; the synced kinds keep their kind on the host.
  const kind = kindFromMarker(annotations[KIND_ANNOTATION]) ?? host.kind;
  const namespace = annotations[NAMESPACE_ANNOTATION] || host.metadata.labels?.[VIRTUAL_NAMESPACE_LABEL] || undefined;
  const uid = annotations[UID_ANNOTATION] || undefined;
  return { kind, name, ...(namespace ? { namespace } : {}), ...(uid ? { uid } : {}) };
}

/** ConfigMaps and Secrets a virtual pod refers to (volumes, projected volumes, env, envFrom). */
function usedByPods(virtualObjects: readonly KubeObject[]): Set<string> {
  const used = new Set<string>();
  type Ref = { name?: string } | undefined;
  type Container = { env?: Array<{ valueFrom?: { configMapKeyRef?: Ref; secretKeyRef?: Ref } }>; envFrom?: Array<{ configMapRef?: Ref; secretRef?: Ref }> };
  type PodSpec = {
    volumes?: Array<{ configMap?: Ref; secret?: { secretName?: string }; projected?: { sources?: Array<{ configMap?: Ref; secret?: Ref }> } }>;
    containers?: Container[]; initContainers?: Container[]; imagePullSecrets?: Ref[];
  };
  for (const pod of virtualObjects) {
    if (pod.kind !== 'Pod') continue;
    const namespace = pod.metadata.namespace;
    const spec = (pod.spec ?? {}) as PodSpec;
    const add = (kind: 'ConfigMap' | 'Secret', name: string | undefined) => {
      if (name) used.add(key(kind, namespace, name));
    };
    for (const volume of spec.volumes ?? []) {
      add('ConfigMap', volume.configMap?.name);
      add('Secret', volume.secret?.secretName);
      for (const source of volume.projected?.sources ?? []) {
        add('ConfigMap', source.configMap?.name);
        add('Secret', source.secret?.name);
      }
    }
    for (const container of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      for (const variable of container.env ?? []) {
        add('ConfigMap', variable.valueFrom?.configMapKeyRef?.name);
        add('Secret', variable.valueFrom?.secretKeyRef?.name);
      }
      for (const source of container.envFrom ?? []) {
        add('ConfigMap', source.configMapRef?.name);
        add('Secret', source.secretRef?.name);
      }
    }
    for (const secret of spec.imagePullSecrets ?? []) add('Secret', secret?.name);
  }
  return used;
}

/** The host name the syncer gives a virtual object, and where it lives. */
export function expectedHostSide(kind: SyncableKind | undefined, object: KubeObject, vclusterName: string, hostNamespace: string): { namespace?: string; name: string } {
  const { name, namespace } = object.metadata;
  // The virtual default/kubernetes Service is the vCluster's own Service on the host.
  if (object.kind === 'Service' && namespace === 'default' && name === 'kubernetes') return { namespace: hostNamespace, name: vclusterName };
  if (kind && !kind.namespaced) return { name: clusterScopedHostName(name, hostNamespace, vclusterName) };
  return { namespace: hostNamespace, name: hostName(name, namespace ?? '', vclusterName) };
}

/**
 * Pairs: synced (both sides, same uid when the host records one); pending (a virtual object of a
 * synced kind with no host object yet); orphaned (a host object whose virtual object is gone or
 * was replaced); virtualOnly (a kind this vCluster does not sync, or a ConfigMap/Secret no pod
 * uses); controlPlane (the vCluster's own objects on the host, not made by the syncer).
 */
export function buildMapping(input: MappingInput): MappingPair[] {
  const { vclusterName, hostNamespace, sync } = input;
  const kinds = new Map(SYNCABLE_KINDS.map((entry) => [entry.kind, entry]));
  const pairs: MappingPair[] = [];
  // Host objects the syncer made, by the virtual object they stand for.
  const synced = new Map<string, { host: KubeObject; virtual: NonNullable<ReturnType<typeof virtualOf>> }>();
  const hostByName = new Map<string, KubeObject>();
  for (const host of input.hostObjects) {
    hostByName.set(key(host.kind, host.metadata.namespace, host.metadata.name), host);
    const managedBy = host.metadata.labels?.[MANAGED_BY_LABEL];
    const virtual = managedBy === vclusterName ? virtualOf(host) : undefined;
    if (virtual) {
      synced.set(key(virtual.kind, virtual.namespace, virtual.name), { host, virtual });
    } else if (host.metadata.namespace === hostNamespace && managedBy === undefined && isControlPlane(host, vclusterName)) {
      pairs.push({ id: `host:${key(host.kind, host.metadata.namespace, host.metadata.name)}`, kind: host.kind, status: 'controlPlane', host: side(host) });
    }
  }

  if (!input.virtualObjects) {
    // Unreachable virtual cluster: what the host's markers say, taken at their word.
    for (const [id, { host, virtual }] of synced) {
      pairs.push({ id, kind: virtual.kind, status: 'synced', virtual: { name: virtual.name, ...(virtual.namespace ? { namespace: virtual.namespace } : {}), ...(virtual.uid ? { uid: virtual.uid } : {}) }, host: side(host) });
    }
    return pairs;
  }

  const used = usedByPods(input.virtualObjects);
  const seen = new Set<string>();
  for (const virtual of input.virtualObjects) {
    const id = key(virtual.kind, virtual.metadata.namespace, virtual.metadata.name);
    seen.add(id);
    const kind = kinds.get(virtual.kind);
    const match = synced.get(id) ?? specialHost(virtual, vclusterName, hostNamespace, hostByName);
    if (match) {
      const recordedUid = match.host.metadata.annotations?.[UID_ANNOTATION];
      const replaced = recordedUid !== undefined && virtual.metadata.uid !== undefined && recordedUid !== virtual.metadata.uid;
      pairs.push({ id, kind: virtual.kind, status: replaced ? 'orphaned' : 'synced', virtual: side(virtual), host: side(match.host) });
      continue;
    }
    const isSynced = kind !== undefined && sync.enabled.has(kind.kind)
      && (!kind.onlyWhenUsedByPods || sync.syncAll.has(kind.kind) || used.has(id));
    if (!isSynced) {
      pairs.push({ id, kind: virtual.kind, status: 'virtualOnly', virtual: side(virtual) });
      continue;
    }
    const expected = expectedHostSide(kind, virtual, vclusterName, hostNamespace);
    pairs.push({ id, kind: virtual.kind, status: 'pending', virtual: side(virtual), host: { ...expected } });
  }
  for (const [id, { host, virtual }] of synced) {
    if (seen.has(id)) continue;
    pairs.push({ id, kind: virtual.kind, status: 'orphaned', virtual: { name: virtual.name, ...(virtual.namespace ? { namespace: virtual.namespace } : {}), ...(virtual.uid ? { uid: virtual.uid } : {}) }, host: side(host) });
  }
  return pairs;
}

/** The default/kubernetes Service has no syncer markers: it is the vCluster's own Service. */
function specialHost(virtual: KubeObject, vclusterName: string, hostNamespace: string, hostByName: ReadonlyMap<string, KubeObject>): { host: KubeObject } | undefined {
  if (virtual.kind !== 'Service' || virtual.metadata.namespace !== 'default' || virtual.metadata.name !== 'kubernetes') return undefined;
  const host = hostByName.get(key('Service', hostNamespace, vclusterName));
  return host ? { host } : undefined;
}

/** The chart's objects: labelled release=NAME (or app=vcluster), or named after the vCluster. */
function isControlPlane(host: KubeObject, vclusterName: string): boolean {
  const labels = host.metadata.labels ?? {};
  if (labels.release === vclusterName || labels.app === 'vcluster') return true;
  const name = host.metadata.name;
  return name === vclusterName || name.startsWith(`${vclusterName}-`) || name.endsWith(`-${vclusterName}`) || name.startsWith(`vc-${vclusterName}`) || name.startsWith(`vc-config-${vclusterName}`);
}

/** Counts per status, for a vCluster's description and the inspector's summary bar. */
export function countByStatus(pairs: readonly MappingPair[]): Record<PairStatus, number> {
  const counts: Record<PairStatus, number> = { synced: 0, pending: 0, orphaned: 0, virtualOnly: 0, controlPlane: 0 };
  for (const pair of pairs) counts[pair.status]++;
  return counts;
}
