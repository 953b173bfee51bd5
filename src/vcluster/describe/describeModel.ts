import { gunzipSync } from 'node:zlib';
import type { SleepMarks } from '../discovery/sleepState';
import { SYNCABLE_KINDS, syncSettings } from '../mapping/mapping';

/**
 * What `vcluster describe` (v0.36.1, pkg/cli/describe_helm.go) derives from a vCluster's config
 * and helm release, as pure functions: the reading is in describeVCluster.ts, the text in
 * describeText.ts. Free of client-node and yaml, so unit tests and both bundles can use it.
 */

export type BackingStoreType = 'embedded-etcd' | 'external-etcd' | 'deployed-etcd' | 'embedded-database' | 'external-database';

/** A setting of one kind in one direction: `true`, `false`, or the chart's "auto". */
export type SyncFlag = boolean | 'auto';

export interface SyncEntry {
  /** The config key: `ingresses`, `customResources/foos.example.com`. */
  key: string;
  enabled: SyncFlag;
  /** ConfigMaps/Secrets with `all: true`: every one syncs, used by a pod or not. */
  all?: boolean;
}

export interface SyncDirections {
  toHost: SyncEntry[];
  fromHost: SyncEntry[];
}

/** One leaf of the sleep settings, flattened: `auto.afterInactivity` → `1h`. */
export interface SleepSetting {
  key: string;
  value: string;
}

export interface SleepSettings {
  /** `sleep` (v0.24+) or `sleepMode` (the older key): whichever the config uses. */
  configKey: 'sleep' | 'sleepMode';
  settings: SleepSetting[];
}

export interface VClusterDescription {
  name: string;
  namespace: string;
  hostContext: string;
  version: string | undefined;
  /** The CLI's status word; '' while it has none (pods on their way). */
  status: string;
  created: Date | undefined;
  backingStore: BackingStoreType;
  /** syncer, apiServer: full image references. */
  images: Record<string, string>;
  /** The values the user gave helm, as YAML; undefined when the release could not be read. */
  userConfigYaml: string | undefined;
  /** Why userConfigYaml is missing, in one line that quotes nothing of the release. */
  userConfigProblem?: string;
  sync: SyncDirections;
  sleep: SleepSettings | undefined;
  /** The platform's sleep-mode marks on Secret vc-config-NAME (sleep type, since when), when it has any. */
  sleepMarks?: SleepMarks;
  /** Argo CD's tracking id on Secret vc-config-NAME: the CLI mentions it, so do we. */
  argoCdTrackingId?: string;
}

// The CLI's defaults when the config names no syncer image (describe_helm.go).
const DEFAULT_REGISTRY = 'ghcr.io/loft-sh';
const DEFAULT_SYNCER_REPOSITORY = 'vcluster-pro';

function objectAt(value: unknown, path: readonly string[]): Record<string, unknown> | undefined {
  let current = value;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return isObject(current) ? current : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stringAt(value: unknown, path: readonly string[]): string {
  const parent = objectAt(value, path.slice(0, -1));
  const leaf = parent?.[path[path.length - 1]!];
  return typeof leaf === 'string' ? leaf : '';
}

function flagAt(value: unknown, path: readonly string[]): boolean {
  return objectAt(value, path.slice(0, -1))?.[path[path.length - 1]!] === true;
}

/** config.Config.BackingStoreType(): the first enabled store in the CLI's order, else embedded database. */
export function backingStoreType(config: unknown): BackingStoreType {
  const store = ['controlPlane', 'backingStore'];
  if (flagAt(config, [...store, 'etcd', 'embedded', 'enabled'])) return 'embedded-etcd';
  if (flagAt(config, [...store, 'etcd', 'external', 'enabled'])) return 'external-etcd';
  if (flagAt(config, [...store, 'etcd', 'deploy', 'enabled'])) return 'deployed-etcd';
  if (flagAt(config, [...store, 'database', 'embedded', 'enabled'])) return 'embedded-database';
  if (flagAt(config, [...store, 'database', 'external', 'enabled'])) return 'external-database';
  return 'embedded-database';
}

/** config.Image.String(): Docker's `library/` is added to a one-part repository behind a registry. */
export function imageReference(image: { registry: string; repository: string; tag: string }): string {
  let reference = image.registry ? `${image.registry}/` : '';
  if (image.registry && image.repository && !image.repository.includes('/')) reference += 'library/';
  reference += image.repository;
  if (image.tag) reference += `:${image.tag}`;
  return reference;
}

/** getImagesFromConfig: the syncer's image (tag defaults to the version), and the API server's when the config names its repository. */
export function imagesFromConfig(config: unknown, version: string | undefined): Record<string, string> {
  const images: Record<string, string> = {};
  const registryOverride = stringAt(config, ['controlPlane', 'advanced', 'defaultImageRegistry']);
  const syncerImage = ['controlPlane', 'statefulSet', 'image'];
  const syncer = imageReference({
    registry: stringAt(config, [...syncerImage, 'registry']) || registryOverride || DEFAULT_REGISTRY,
    repository: stringAt(config, [...syncerImage, 'repository']) || DEFAULT_SYNCER_REPOSITORY,
    tag: stringAt(config, [...syncerImage, 'tag']) || (version ?? ''),
  });
  if (syncer) images.syncer = syncer;
  const apiImage = ['controlPlane', 'distro', 'k8s', 'image'];
  const apiRepository = stringAt(config, [...apiImage, 'repository']);
  // As in the CLI: a registry alone does not make a reference worth showing.
  if (apiRepository) {
    images.apiServer = imageReference({
      registry: stringAt(config, [...apiImage, 'registry']) || registryOverride || DEFAULT_REGISTRY,
      repository: apiRepository,
      tag: stringAt(config, [...apiImage, 'tag']),
    });
  }
  return images;
}

function syncFlag(value: unknown): SyncFlag | undefined {
  if (value === true || value === false) return value;
  if (value === 'auto') return 'auto';
  return undefined;
}

/** Every `{ enabled }` section of one direction; a map of them (customResources) one level down. */
function syncEntries(section: Record<string, unknown> | undefined): SyncEntry[] {
  const entries: SyncEntry[] = [];
  for (const [key, value] of Object.entries(section ?? {})) {
    if (!isObject(value)) continue;
    const enabled = syncFlag(value.enabled);
    if (enabled !== undefined) {
      entries.push({ key, enabled, ...(value.all === true ? { all: true } : {}) });
      continue;
    }
    for (const [name, nested] of Object.entries(value)) {
      const nestedEnabled = isObject(nested) ? syncFlag(nested.enabled) : undefined;
      if (nestedEnabled !== undefined) entries.push({ key: `${key}/${name}`, enabled: nestedEnabled });
    }
  }
  return entries;
}

/**
 * What syncs in each direction, from the effective config (vc-config-NAME holds the chart's
 * values merged with the user's, so every section is there). The kinds the mapping follows come
 * from `syncSettings`, the same reading the tree uses, so the two never disagree.
 */
export function syncDirections(config: unknown): SyncDirections {
  const toHost = syncEntries(objectAt(config, ['sync', 'toHost']));
  const mapped = syncSettings(config);
  for (const kind of SYNCABLE_KINDS) {
    const enabled = mapped.enabled.has(kind.kind);
    const existing = toHost.find((entry) => entry.key === kind.configKey);
    if (existing) {
      if (existing.enabled !== 'auto') existing.enabled = enabled;
    } else {
      toHost.push({ key: kind.configKey, enabled, ...(mapped.syncAll.has(kind.kind) ? { all: true } : {}) });
    }
  }
  const byKey = (a: SyncEntry, b: SyncEntry) => a.key.localeCompare(b.key);
  return { toHost: toHost.sort(byKey), fromHost: syncEntries(objectAt(config, ['sync', 'fromHost'])).sort(byKey) };
}

function flatten(value: unknown, prefix: string, into: SleepSetting[]): void {
  if (isObject(value)) {
    for (const [key, nested] of Object.entries(value)) flatten(nested, prefix ? `${prefix}.${key}` : key, into);
  } else if (Array.isArray(value)) {
    into.push({ key: prefix, value: value.map((item) => (isObject(item) ? JSON.stringify(item) : String(item))).join(', ') });
  } else if (value !== undefined && value !== null && value !== '') {
    into.push({ key: prefix, value: String(value) });
  }
}

/** The sleep settings, if the config has any (`sleep`, or the older `sleepMode`), flattened to leaves. */
export function sleepSettings(config: unknown): SleepSettings | undefined {
  for (const configKey of ['sleep', 'sleepMode'] as const) {
    const section = objectAt(config, [configKey]);
    if (!section) continue;
    const settings: SleepSetting[] = [];
    flatten(section, '', settings);
    if (settings.length > 0) return { configKey, settings };
  }
  return undefined;
}

/** A release Secret that cannot be decoded; the message never quotes its content (the user's values). */
export class DamagedReleaseError extends Error {
  constructor(readonly secretName: string, problem: string) {
    super(`helm release Secret ${secretName} is damaged: ${problem}`);
    this.name = 'DamagedReleaseError';
  }
}

export interface HelmRelease {
  secretName: string;
  version: number;
  status: string | undefined;
  /** The values the user gave helm (`helm get values`). */
  config: Record<string, unknown>;
}

const GZIP_MAGIC = [0x1f, 0x8b, 0x08];

/**
 * A helm release from its Secret's `data.release`: the API's base64 around helm's own base64,
 * around gzip (absent in releases older than helm's compression), around JSON (helm's
 * decodeRelease, which the CLI copies).
 */
export function decodeHelmRelease(secretName: string, release: string): HelmRelease {
  const helmEncoded = Buffer.from(release, 'base64').toString('latin1');
  let bytes = Buffer.from(helmEncoded, 'base64');
  if (bytes.length < 3) throw new DamagedReleaseError(secretName, 'its release field is too short to be a release');
  if (GZIP_MAGIC.every((byte, index) => bytes[index] === byte)) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: 64 * 1024 * 1024 });
    } catch {
      throw new DamagedReleaseError(secretName, 'its release is not valid gzip');
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new DamagedReleaseError(secretName, 'its release is not JSON');
  }
  if (!isObject(parsed)) throw new DamagedReleaseError(secretName, 'its release is not a JSON object');
  const info = isObject(parsed.info) ? parsed.info : undefined;
  return {
    secretName,
    version: typeof parsed.version === 'number' ? parsed.version : 0,
    status: typeof info?.status === 'string' ? info.status : undefined,
    config: isObject(parsed.config) ? parsed.config : {},
  };
}

/** helm's Secrets.Get as the CLI uses it: the highest version that is neither superseded nor uninstalled. */
export function currentRelease(releases: readonly HelmRelease[]): HelmRelease | undefined {
  let latest: HelmRelease | undefined;
  for (const release of releases) {
    if (release.status === 'superseded' || release.status === 'uninstalled') continue;
    if (!latest || latest.version < release.version) latest = release;
  }
  return latest;
}
