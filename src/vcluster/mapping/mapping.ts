import { hostName, clusterScopedHostName, safeConcatName } from './hostNames';
import { KIND_ANNOTATION, MANAGED_BY_LABEL, NAMESPACE_ANNOTATION, NAME_ANNOTATION, UID_ANNOTATION, VIRTUAL_NAMESPACE_LABEL } from '../identity';

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
  /** Changes with every write to the object: how an edit that changes nothing else is noticed. */
  resourceVersion?: string;
}

/** An object as listed; list items carry no kind, so the lister sets `kind` itself. */
export interface KubeObject {
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
}

/** Where a pair stands (the tree's groups and the inspector's filter follow this list's order). */
export const PAIR_STATUSES = ['synced', 'pending', 'error', 'orphaned', 'virtualOnly', 'controlPlane'] as const;
export type PairStatus = (typeof PAIR_STATUSES)[number];

/** A count per status, all zero: what the tree's groups and the inspector's summary start from. */
export function emptyStatusCounts(): Record<PairStatus, number> {
  return { synced: 0, pending: 0, error: 0, orphaned: 0, virtualOnly: 0, controlPlane: 0 };
}

export interface ObjectSide {
  namespace?: string;
  name: string;
  uid?: string;
  created?: string;
  /** The object's resourceVersion when the mapping was built. */
  resourceVersion?: string;
}

export interface MappingPair {
  /** Stable across refreshes: kind and the virtual side's namespace/name (or the host's, when there is no virtual side). */
  id: string;
  kind: string;
  /** error: pending, and the syncer reported that the host refused it (pairEvents.ts). */
  status: PairStatus;
  virtual?: ObjectSide;
  host?: ObjectSide;
  /** What the events on either side add up to, when there are any (pairEvents.ts). */
  events?: PairEventCounts;
  /** Why the pair is an error: what the host said when the syncer tried. */
  problem?: string;
}

/** Whether the pair's host side is an object that exists (not only the name a pending or failed pair should get). */
export function hasHostObject<T extends Pick<MappingPair, 'status' | 'host'>>(pair: T): pair is T & { host: ObjectSide } {
  return pair.host !== undefined && pair.status !== 'pending' && pair.status !== 'error';
}

/** Whether the pair's virtual side is an object that exists (an orphan's is only what its host markers name). */
export function hasVirtualObject<T extends Pick<MappingPair, 'status' | 'virtual'>>(pair: T): pair is T & { virtual: ObjectSide } {
  return pair.virtual !== undefined && pair.status !== 'orphaned';
}

export interface PairEventCounts {
  total: number;
  warnings: number;
  /** The newest event's time: a new event changes the pair, so a shown detail reads it again. */
  newest: string;
  /** `Reason: message` of the newest warning. */
  newestWarning?: string;
}


/**
 * The managed-by value on the syncer's cluster-scoped host objects: not the vCluster's name (two
 * vClusters of that name in different namespaces would share it) but
 * SafeConcatName(hostNamespace, "x", vcluster) (single_namespace.go, MarkerLabelCluster).
 */
export function clusterMarkerLabel(hostNamespace: string, vclusterName: string): string {
  return safeConcatName(hostNamespace, 'x', vclusterName);
}

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

/** Kinds that never sync but are shown as virtual-only: the workloads that make the pods. */
export const VIRTUAL_ONLY_WORKLOAD_KINDS: ReadonlyArray<{ kind: string; apiPath: string; resource: string }> = [
  { kind: 'Deployment', apiPath: '/apis/apps/v1', resource: 'deployments' },
  { kind: 'StatefulSet', apiPath: '/apis/apps/v1', resource: 'statefulsets' },
  { kind: 'ReplicaSet', apiPath: '/apis/apps/v1', resource: 'replicasets' },
  { kind: 'DaemonSet', apiPath: '/apis/apps/v1', resource: 'daemonsets' },
  { kind: 'Job', apiPath: '/apis/batch/v1', resource: 'jobs' },
  { kind: 'CronJob', apiPath: '/apis/batch/v1', resource: 'cronjobs' },
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
  const { name, namespace, uid, creationTimestamp, resourceVersion } = object.metadata;
  // One literal for the usual case: an object built up property by property needs a second
  // allocation for its properties.
  if (namespace && uid && creationTimestamp && resourceVersion) return { name, namespace, uid, created: creationTimestamp, resourceVersion };
  const result: ObjectSide = { name };
  if (namespace) result.namespace = namespace;
  if (uid) result.uid = uid;
  if (creationTimestamp) result.created = creationTimestamp;
  if (resourceVersion) result.resourceVersion = resourceVersion;
  return result;
}

type VirtualRef = { kind: string; namespace?: string; name: string; uid?: string };

/** The virtual object a host object stands for, read from its markers (v0.21+, else v0.19/v0.20). */
function virtualOf(host: KubeObject, kindByMarker: Map<string, string | undefined>): VirtualRef | undefined {
  const annotations = host.metadata.annotations;
  const name = annotations?.[NAME_ANNOTATION];
  if (!name) return undefined;
  // v0.19/v0.20 wrote no kind marker; the synced kinds keep their kind on the host.
  const marker = annotations[KIND_ANNOTATION];
  let kind: string | undefined;
  if (marker) {
    kind = kindByMarker.get(marker);
    if (kind === undefined && !kindByMarker.has(marker)) {
      kind = kindFromMarker(marker);
      kindByMarker.set(marker, kind);
    }
  }
  const result: VirtualRef = { kind: kind ?? host.kind, name };
  const namespace = annotations[NAMESPACE_ANNOTATION] || host.metadata.labels?.[VIRTUAL_NAMESPACE_LABEL];
  if (namespace) result.namespace = namespace;
  const uid = annotations[UID_ANNOTATION];
  if (uid) result.uid = uid;
  return result;
}

/**
 * kind → namespace → name → value: lookups hash the objects' own strings, whose hashes V8 keeps,
 * instead of building a "kind/namespace/name" string and hashing it anew every time.
 */
class ObjectIndex<T> {
  private readonly byKind = new Map<string, Map<string, Map<string, T>>>();
  get(kind: string, namespace: string | undefined, name: string): T | undefined {
    return this.byKind.get(kind)?.get(namespace ?? '')?.get(name);
  }
  set(kind: string, namespace: string | undefined, name: string, value: T): void {
    let byNamespace = this.byKind.get(kind);
    if (!byNamespace) this.byKind.set(kind, byNamespace = new Map());
    let byName = byNamespace.get(namespace ?? '');
    if (!byName) byNamespace.set(namespace ?? '', byName = new Map());
    byName.set(name, value);
  }
}

type Ref = { name?: string } | undefined;
type Container = { env?: Array<{ valueFrom?: { configMapKeyRef?: Ref; secretKeyRef?: Ref } }>; envFrom?: Array<{ configMapRef?: Ref; secretRef?: Ref }> };
type PodSpec = {
  volumes?: Array<{ configMap?: Ref; secret?: { secretName?: string }; projected?: { sources?: Array<{ configMap?: Ref; secret?: Ref }> } }>;
  containers?: Container[]; initContainers?: Container[]; imagePullSecrets?: Ref[];
};

/** ConfigMaps and Secrets a virtual pod refers to (volumes, projected volumes, env, envFrom), by kind and namespace. */
function usedByPods(virtualObjects: readonly KubeObject[]): ObjectIndex<true> {
  const used = new ObjectIndex<true>();
  const add = (kind: 'ConfigMap' | 'Secret', namespace: string | undefined, name: string | undefined) => {
    if (name) used.set(kind, namespace, name, true);
  };
  const addContainers = (namespace: string | undefined, containers: Container[] | undefined) => {
    for (const container of containers ?? []) {
      for (const variable of container.env ?? []) {
        add('ConfigMap', namespace, variable.valueFrom?.configMapKeyRef?.name);
        add('Secret', namespace, variable.valueFrom?.secretKeyRef?.name);
      }
      for (const source of container.envFrom ?? []) {
        add('ConfigMap', namespace, source.configMapRef?.name);
        add('Secret', namespace, source.secretRef?.name);
      }
    }
  };
  for (const pod of virtualObjects) {
    if (pod.kind !== 'Pod' || !pod.spec) continue;
    const namespace = pod.metadata.namespace;
    const spec = pod.spec as PodSpec;
    for (const volume of spec.volumes ?? []) {
      add('ConfigMap', namespace, volume.configMap?.name);
      add('Secret', namespace, volume.secret?.secretName);
      for (const source of volume.projected?.sources ?? []) {
        add('ConfigMap', namespace, source.configMap?.name);
        add('Secret', namespace, source.secret?.name);
      }
    }
    addContainers(namespace, spec.containers);
    addContainers(namespace, spec.initContainers);
    for (const secret of spec.imagePullSecrets ?? []) add('Secret', namespace, secret?.name);
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
  const clusterMarker = clusterMarkerLabel(hostNamespace, vclusterName);
  const pairs: MappingPair[] = [];
  // Host objects the syncer made, by the virtual object they stand for.
  type Synced = { host: KubeObject; virtual: VirtualRef; claimed: boolean };
  const synced = new ObjectIndex<Synced>();
  const syncedInOrder: Synced[] = [];
  // The vCluster's own Service: the host side of the virtual default/kubernetes Service.
  let ownService: KubeObject | undefined;
  // Marker → kind: a vCluster's host objects carry a handful of distinct markers.
  const kindByMarker = new Map<string, string | undefined>();
  for (const host of input.hostObjects) {
    const { namespace, name, labels } = host.metadata;
    if (host.kind === 'Service' && namespace === hostNamespace && name === vclusterName) ownService = host;
    const managedBy = labels?.[MANAGED_BY_LABEL];
    const ours = namespace ? managedBy === vclusterName : managedBy === clusterMarker;
    const virtual = ours ? virtualOf(host, kindByMarker) : undefined;
    if (virtual) {
      const entry = { host, virtual, claimed: false };
      // A later host object for the same virtual one replaces the earlier, as before.
      const previous = synced.get(virtual.kind, virtual.namespace, virtual.name);
      if (previous) previous.claimed = true;
      synced.set(virtual.kind, virtual.namespace, virtual.name, entry);
      syncedInOrder.push(entry);
    } else if (namespace === hostNamespace && managedBy === undefined && isControlPlane(host, vclusterName)) {
      pairs.push({ id: `host:${key(host.kind, namespace, name)}`, kind: host.kind, status: 'controlPlane', host: side(host) });
    }
  }
  const virtualSide = (virtual: VirtualRef): ObjectSide => {
    const result: ObjectSide = { name: virtual.name };
    if (virtual.namespace) result.namespace = virtual.namespace;
    if (virtual.uid) result.uid = virtual.uid;
    return result;
  };

  if (!input.virtualObjects) {
    // Unreachable virtual cluster: what the host's markers say, taken at their word.
    for (const entry of syncedInOrder) {
      if (entry.claimed) continue;
      const { host, virtual } = entry;
      pairs.push({ id: key(virtual.kind, virtual.namespace, virtual.name), kind: virtual.kind, status: 'synced', virtual: virtualSide(virtual), host: side(host) });
    }
    return pairs;
  }

  let used: ObjectIndex<true> | undefined;
  for (const virtual of input.virtualObjects) {
    const { namespace, name } = virtual.metadata;
    const id = key(virtual.kind, namespace, name);
    const entry = synced.get(virtual.kind, namespace, name);
    let matchHost: KubeObject | undefined;
    if (entry) {
      entry.claimed = true;
      matchHost = entry.host;
    } else if (virtual.kind === 'Service' && namespace === 'default' && name === 'kubernetes') {
      matchHost = ownService;
    }
    if (matchHost) {
      const recordedUid = matchHost.metadata.annotations?.[UID_ANNOTATION];
      const replaced = recordedUid !== undefined && virtual.metadata.uid !== undefined && recordedUid !== virtual.metadata.uid;
      pairs.push({ id, kind: virtual.kind, status: replaced ? 'orphaned' : 'synced', virtual: side(virtual), host: side(matchHost) });
      continue;
    }
    const kind = kinds.get(virtual.kind);
    let isSynced = kind !== undefined && sync.enabled.has(kind.kind);
    if (isSynced && kind?.onlyWhenUsedByPods && !sync.syncAll.has(kind.kind)) {
      used ??= usedByPods(input.virtualObjects);
      isSynced = used.get(virtual.kind, namespace, name) === true;
    }
    if (!isSynced) {
      pairs.push({ id, kind: virtual.kind, status: 'virtualOnly', virtual: side(virtual) });
      continue;
    }
    const expected = expectedHostSide(kind, virtual, vclusterName, hostNamespace);
    pairs.push({ id, kind: virtual.kind, status: 'pending', virtual: side(virtual), host: { ...expected } });
  }
  for (const entry of syncedInOrder) {
    if (entry.claimed) continue;
    const { host, virtual } = entry;
    pairs.push({ id: key(virtual.kind, virtual.namespace, virtual.name), kind: virtual.kind, status: 'orphaned', virtual: virtualSide(virtual), host: side(host) });
  }
  return pairs;
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
  const counts = emptyStatusCounts();
  for (const pair of pairs) counts[pair.status]++;
  return counts;
}
