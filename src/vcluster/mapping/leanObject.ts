import type { RawObject } from '../../kube/watch';
import { type KubeObject, type ObjectMeta } from './mapping';
import { KIND_ANNOTATION, MANAGED_BY_LABEL, NAMESPACE_ANNOTATION, NAME_ANNOTATION, UID_ANNOTATION, VIRTUAL_NAMESPACE_LABEL } from '../identity';

// Objects as the mapping keeps them in memory (about 1.5 KB per object at 10k: bench/mapping.ts).

/**
 * What the mapping needs of an object and nothing more: name, namespace, uid, creation time and
 * resourceVersion;
 * of a host object only the labels and annotations buildMapping reads; of a virtual pod only the
 * ConfigMaps and Secrets it refers to, once each.
 */
export function lean(raw: RawObject, watched: { kind: string; side: 'host' | 'virtual' }): KubeObject {
  const metadata = (raw.metadata ?? {}) as Record<string, unknown>;
  const meta: ObjectMeta = { name: String(metadata.name ?? '') };
  if (typeof metadata.namespace === 'string' && metadata.namespace) meta.namespace = metadata.namespace;
  if (typeof metadata.uid === 'string') meta.uid = metadata.uid;
  if (typeof metadata.creationTimestamp === 'string') meta.creationTimestamp = metadata.creationTimestamp;
  if (typeof metadata.resourceVersion === 'string') meta.resourceVersion = metadata.resourceVersion;
  if (watched.side === 'host') {
    const labels = pick(metadata.labels, HOST_LABELS);
    if (labels) meta.labels = labels;
    const annotations = pick(metadata.annotations, HOST_ANNOTATIONS);
    if (annotations) meta.annotations = annotations;
  }
  const object: KubeObject = { kind: watched.kind, metadata: meta };
  if (watched.kind === 'Pod' && watched.side === 'virtual' && raw.spec && typeof raw.spec === 'object') object.spec = podReferences(raw.spec as PodSpec);
  return object;
}

/** The host labels and annotations buildMapping reads (markers, and the chart's release/app). */
const HOST_LABELS = [MANAGED_BY_LABEL, VIRTUAL_NAMESPACE_LABEL, 'release', 'app'];
const HOST_ANNOTATIONS = [NAME_ANNOTATION, NAMESPACE_ANNOTATION, UID_ANNOTATION, KIND_ANNOTATION];

function pick(value: unknown, keys: readonly string[]): Record<string, string> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  let picked: Record<string, string> | undefined;
  for (const key of keys) {
    const entry = (value as Record<string, unknown>)[key];
    if (typeof entry === 'string') (picked ??= {})[key] = entry;
  }
  return picked;
}

type Ref = { name?: string } | undefined;
interface Container {
  env?: Array<{ valueFrom?: { configMapKeyRef?: Ref; secretKeyRef?: Ref } }>;
  envFrom?: Array<{ configMapRef?: Ref; secretRef?: Ref }>;
}
interface PodSpec {
  volumes?: Array<{ configMap?: Ref; secret?: { secretName?: string }; projected?: { sources?: Array<{ configMap?: Ref; secret?: Ref }> } }>;
  containers?: Container[];
  initContainers?: Container[];
  imagePullSecrets?: Ref[];
}

/**
 * The pod's references, each once, in the one shape buildMapping's reader needs: a configMap or
 * secret volume per ConfigMap or Secret (from volumes, projected volumes, env, envFrom and
 * imagePullSecrets alike). A pod's whole spec is ten times the size.
 */
function podReferences(spec: PodSpec): PodSpec {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  const configMap = (ref: Ref) => void (ref?.name && configMaps.add(ref.name));
  const secret = (name: string | undefined) => void (name && secrets.add(name));
  for (const volume of spec.volumes ?? []) {
    configMap(volume.configMap);
    secret(volume.secret?.secretName);
    for (const source of volume.projected?.sources ?? []) {
      configMap(source.configMap);
      secret(source.secret?.name);
    }
  }
  for (const container of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    for (const variable of container.env ?? []) {
      configMap(variable.valueFrom?.configMapKeyRef);
      secret(variable.valueFrom?.secretKeyRef?.name);
    }
    for (const source of container.envFrom ?? []) {
      configMap(source.configMapRef);
      secret(source.secretRef?.name);
    }
  }
  for (const ref of spec.imagePullSecrets ?? []) secret(ref?.name);
  if (configMaps.size === 0 && secrets.size === 0) return {};
  return { volumes: [...[...configMaps].map((name) => ({ configMap: { name } })), ...[...secrets].map((secretName) => ({ secret: { secretName } }))] };
}
