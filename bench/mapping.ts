import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import type { RawObject } from '../src/kube/watch';
import type { KubeObject, MappingInput, MappingPair, PairStatus } from '../src/vcluster/mapping/mapping';
import { lean } from '../src/vcluster/mapping/leanObject';
import { hostName } from '../src/vcluster/mapping/hostNames';
import { seededRandom } from '../test/env/seededRandom';

type MappingModule = typeof import('../src/vcluster/mapping/mapping');

/**
 * The virtual↔host mapping model (buildMapping) at 1k / 10k / 50k virtual objects (issue 6,
 * item 6: time and memory per object; goals 10k ≤ 50 ms, ≤ 2 KB per object).
 *
 * There is no CLI to compare with: neither `vcluster` nor `kubectl` has a virtual↔host view, and
 * this is a pure in-memory function, so the figures stand alone (no side-by-side ratio).
 *
 * Inputs, per 50 virtual objects (one namespace; N/50 namespaces, the first is `default`):
 *   - 3 Deployments (virtual-only: never synced), 33 Pods (11 per Deployment, named as a
 *     ReplicaSet names them), 4 Services (one per app and `metrics`; in `default` that one is
 *     `kubernetes`, which is the vCluster's own host Service), 5 ConfigMaps and 5 Secrets.
 *   - The Pods refer to ConfigMaps and Secrets the ways real specs do: a configMap volume,
 *     envFrom configMapRef/secretRef, env configMapKeyRef/secretKeyRef, a secret volume,
 *     imagePullSecrets, and the kube-api-access projected volume every Pod has (kube-root-ca.crt).
 *     One ConfigMap and one Secret per namespace are used by no Pod (virtual-only by default).
 *   - A few special cases: a Pod just created (pending, 1 namespace in 5), a ConfigMap not synced
 *     yet (pending, 1 in 25), a Pod whose host object records an older uid (orphaned, replaced;
 *     1 in 10), a host Pod whose virtual Pod is gone (orphaned, 1 in 4), and the chart's own host
 *     objects (control plane) plus the host's kube-root-ca.crt (no pair).
 * Host objects are what the syncer (v0.21+) writes: name from hostName(), labels
 * vcluster.loft.sh/managed-by and /namespace plus the user's labels, annotations object-name,
 * object-namespace, object-uid, object-kind, object-host-name, object-host-namespace (Pods also
 * vcluster.loft.sh/name, /namespace, /uid, /labels, /service-account-name, /owner-set-kind).
 *
 * Objects are kept as the extension's lister (src/vcluster/mappingSource.ts) keeps them: each list
 * body is JSON.parse'd as KubeClient does, then every item goes through its lean(): metadata
 * without managedFields and last-applied-configuration; of a virtual Pod's spec only the
 * ConfigMap/Secret references. (Host lists and virtual non-Pod lists are metadata-only lists, so
 * the generated items of those kinds have no spec; virtual Pods have a whole spec for lean() to cut.)
 *
 * buildMapping is the shipped code (esbuild, production options), not tsx's transform.
 *
 * Memory: in a fresh process started with --expose-gc (and flags for steady readings), heapUsed
 * after full GCs around each step (parse and lean() the virtual list, the host list, then
 * buildMapping with its pairs held); the per-object figure is the sum of the three growths / N,
 * which is (heapUsed holding objects and pairs − heapUsed before creating any object) / N without
 * counting the JSON text the objects came from. "Pairs alone" is the last growth. The code runs
 * once on one namespace first, so compiled code is not counted as objects.
 * Time: the median of the timed runs, back to back after warm-up runs (at least 3 and 1 s).
 * Every run's pairs (warm-up, timed and held) are checked against the counts per status the
 * generator made, and the held ones against the host names it gave, so a model that dropped or
 * misclassified objects fails the bench instead of getting faster.
 *
 * Just this part: `node --import tsx bench/mapping.ts [sizes…]` (or `npm run bench -- mapping`);
 * BENCH_MAPPING_RUNS sets the timed runs (default 11, at least 7); BENCH_MAPPING_MODULE measures
 * a candidate copy of src/vcluster/mapping.ts instead, with the same checks.
 */

export const MAPPING_SIZES = [1_000, 10_000, 50_000] as const;
const OBJECTS_PER_NAMESPACE = 50;
const VCLUSTER = 'my-vc';
const HOST_NAMESPACE = 'vcluster-my-vc';
/** Warm-up: at least this many untimed runs and this long, so small sizes reach optimized code too. */
const WARMUP_RUNS = 3;
const WARMUP_MS = 1_000;
const DEFAULT_RUNS = 11;
export const TIME_GOAL_OBJECTS = 10_000;
export const TIME_GOAL_MS = 50;
export const BYTES_PER_OBJECT_GOAL = 2 * 1024;

export interface MappingSizeResult {
  objects: number;
  namespaces: number;
  hostObjects: number;
  pairs: number;
  expected: Record<PairStatus, number>;
  /** Timed buildMapping runs, ms (after the warm-up runs). */
  runsMs: number[];
  medianMs: number;
  /** Retained heap per virtual object: virtual objects, host objects, pairs, and their sum. */
  bytesPerObject: { virtual: number; host: number; pairs: number; total: number };
}

const APPS = ['web', 'payments-api', 'notification-dispatcher-worker', 'checkout', 'search-indexer', 'auth', 'inventory-reconciliation-service', 'frontend', 'orders', 'recommendation-engine-batch'];
const ALPHANUM = 'bcdfghjklmnpqrstvwxz2456789';

interface Generated {
  objects: number;
  /** Released by the caller once parsed. */
  virtualBody: string;
  hostBody: string;
  namespaces: number;
  hostObjects: number;
  expected: Record<PairStatus, number>;
}

/**
 * The two list bodies (virtual and host) as the API servers would send them, and the counts per
 * status a correct model must find. Strings only: the caller parses them, so nothing built here
 * stays reachable.
 */
function generate(objects: number): Generated {
  if (objects % OBJECTS_PER_NAMESPACE !== 0) throw new Error(`bench: ${objects} is not a multiple of ${OBJECTS_PER_NAMESPACE}`);
  const next = seededRandom(objects);
  const hex = (length: number) => Array.from({ length }, () => Math.floor(next() * 16).toString(16)).join('');
  const uid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const suffix = (length: number) => Array.from({ length }, () => ALPHANUM[Math.floor(next() * ALPHANUM.length)]).join('');
  const created = () => new Date(Date.UTC(2026, 7, 1) + Math.floor(next() * 20 * 86_400_000)).toISOString().replace('.000Z', 'Z');
  let resourceVersion = 100_000;

  const virtual: object[] = [];
  const host: object[] = [];
  const expected: Record<PairStatus, number> = { synced: 0, pending: 0, error: 0, orphaned: 0, virtualOnly: 0, controlPlane: 0 };

  /** The host object the syncer makes of a virtual one. */
  const synced = (of: { kind: string; metadata: { name: string; namespace: string; uid: string; labels?: Record<string, string> } }, options: { recordedUid?: string; pod?: { serviceAccount: string } } = {}) => {
    const { name, namespace } = of.metadata;
    const translated = hostName(name, namespace, VCLUSTER);
    host.push({
      kind: of.kind,
      metadata: {
        name: translated,
        namespace: HOST_NAMESPACE,
        uid: uid(),
        resourceVersion: String(resourceVersion++),
        creationTimestamp: created(),
        labels: { ...of.metadata.labels, 'vcluster.loft.sh/managed-by': VCLUSTER, 'vcluster.loft.sh/namespace': namespace },
        annotations: {
          'vcluster.loft.sh/object-name': name,
          'vcluster.loft.sh/object-namespace': namespace,
          'vcluster.loft.sh/object-uid': options.recordedUid ?? of.metadata.uid,
          'vcluster.loft.sh/object-kind': `/v1, Kind=${of.kind}`,
          'vcluster.loft.sh/object-host-name': translated,
          'vcluster.loft.sh/object-host-namespace': HOST_NAMESPACE,
          ...(options.pod ? {
            'vcluster.loft.sh/name': name,
            'vcluster.loft.sh/namespace': namespace,
            'vcluster.loft.sh/uid': options.recordedUid ?? of.metadata.uid,
            'vcluster.loft.sh/labels': Object.entries(of.metadata.labels ?? {}).map(([key, value]) => `${key}="${value}"`).join('\n'),
            'vcluster.loft.sh/service-account-name': options.pod.serviceAccount,
            'vcluster.loft.sh/owner-set-kind': 'Deployment',
          } : {}),
        },
      },
    });
  };

  const namespaces = objects / OBJECTS_PER_NAMESPACE;
  for (let index = 0; index < namespaces; index++) {
    const namespace = index === 0 ? 'default' : `team-${index}`;
    const apps = [0, 1, 2].map((offset) => APPS[(index * 3 + offset) % APPS.length]!);
    const meta = (name: string, labels?: Record<string, string>) => ({
      name, namespace, uid: uid(), resourceVersion: String(resourceVersion++), creationTimestamp: created(), ...(labels ? { labels } : {}),
    });

    for (const app of apps) {
      virtual.push({ kind: 'Deployment', metadata: { ...meta(app, { app }), generation: 1, annotations: { 'deployment.kubernetes.io/revision': '1' } } });
      expected.virtualOnly++;
    }

    // ConfigMaps and Secrets, and which of them a Pod uses.
    const configMaps = ['kube-root-ca.crt', `${apps[0]}-config`, `${apps[1]}-env`, `${apps[2]}-settings`, 'legacy-settings'];
    const secrets = [`${apps[0]}-db-credentials`, `${apps[1]}-api-keys`, `${apps[2]}-tls`, 'registry-pull', 'old-token'];
    const pendingConfigMap = index % 25 === 7 ? `${apps[0]}-config` : undefined;
    for (const name of configMaps) {
      const object = { kind: 'ConfigMap', metadata: meta(name) };
      virtual.push(object);
      if (name === 'legacy-settings') expected.virtualOnly++;
      else if (name === pendingConfigMap) expected.pending++;
      else {
        synced(object);
        expected.synced++;
      }
    }
    for (const name of secrets) {
      const object = { kind: 'Secret', metadata: { ...meta(name), annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '' } } };
      virtual.push(object);
      if (name === 'old-token') expected.virtualOnly++;
      else {
        synced(object);
        expected.synced++;
      }
    }

    for (const [position, app] of apps.entries()) {
      const name = index === 0 && position === 2 ? 'kubernetes' : app;
      const object = { kind: 'Service', metadata: meta(name, { app }) };
      virtual.push(object);
      expected.synced++;
      // default/kubernetes has no syncer markers: it is the vCluster's own Service (below).
      if (name !== 'kubernetes') synced(object);
    }
    const metrics = { kind: 'Service', metadata: meta('metrics', { 'app.kubernetes.io/component': 'metrics' }) };
    virtual.push(metrics);
    synced(metrics);
    expected.synced++;

    for (const [position, app] of apps.entries()) {
      const template = suffix(10);
      const replicaSetUid = uid();
      const labels = { app, 'pod-template-hash': template };
      for (let replica = 0; replica < 11; replica++) {
        const name = `${app}-${template}-${suffix(5)}`;
        const object = {
          kind: 'Pod',
          metadata: {
            ...meta(name, labels),
            generateName: `${app}-${template}-`,
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-${template}`, uid: replicaSetUid, controller: true, blockOwnerDeletion: true }],
          },
          spec: podSpec(app, position, namespace, suffix(5)),
        };
        virtual.push(object);
        if (replica === 10 && position === 2 && index % 5 === 1) {
          expected.pending++;
        } else if (replica === 0 && position === 1 && index % 10 === 2) {
          synced(object, { recordedUid: uid(), pod: { serviceAccount: 'default' } });
          expected.orphaned++;
        } else {
          synced(object, { pod: { serviceAccount: 'default' } });
          expected.synced++;
        }
      }
      if (position === 0 && index % 4 === 3) {
        // A Pod deleted in the virtual cluster whose host copy is still there.
        synced({ kind: 'Pod', metadata: { ...meta(`${app}-${template}-${suffix(5)}`, labels) } }, { pod: { serviceAccount: 'default' } });
        expected.orphaned++;
      }
    }
  }

  // The chart's objects in the host namespace (no managed-by label) and the host's own CA ConfigMap.
  const chart = { app: 'vcluster', release: VCLUSTER };
  const own = (kind: string, name: string, labels?: Record<string, string>) => ({
    kind, metadata: { name, namespace: HOST_NAMESPACE, uid: uid(), resourceVersion: String(resourceVersion++), creationTimestamp: created(), ...(labels ? { labels } : {}) },
  });
  const controlPlane = [
    own('Pod', `${VCLUSTER}-0`, { ...chart, 'apps.kubernetes.io/pod-index': '0' }),
    own('Service', VCLUSTER, chart),
    own('Service', `${VCLUSTER}-headless`, chart),
    own('Secret', `vc-config-${VCLUSTER}`, chart),
    own('Secret', `vc-${VCLUSTER}`, chart),
    own('PersistentVolumeClaim', `data-${VCLUSTER}-0`, chart),
  ];
  host.push(...controlPlane, own('ConfigMap', 'kube-root-ca.crt'));
  expected.controlPlane += controlPlane.length;

  if (virtual.length !== objects) throw new Error(`bench: generated ${virtual.length} virtual objects, not ${objects}`);
  return { objects, virtualBody: JSON.stringify({ kind: 'List', items: virtual }), hostBody: JSON.stringify({ kind: 'List', items: host }), namespaces, hostObjects: host.length, expected };
}

/** A Deployment's Pod spec as the API server returns it, referring to ConfigMaps and Secrets. */
function podSpec(app: string, position: number, namespace: string, tokenSuffix: string): object {
  const env: object[] = [{ name: 'LOG_LEVEL', value: 'info' }, { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } }];
  const envFrom: object[] = [];
  const volumes: object[] = [];
  const volumeMounts: object[] = [];
  if (position === 0) {
    volumes.push({ name: 'config', configMap: { name: `${app}-config`, defaultMode: 420 } });
    volumeMounts.push({ name: 'config', mountPath: '/etc/app', readOnly: true });
    env.push({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: `${app}-db-credentials`, key: 'password' } } });
  } else if (position === 1) {
    envFrom.push({ configMapRef: { name: `${app}-env` } }, { secretRef: { name: `${app}-api-keys` } });
  } else {
    env.push({ name: 'FEATURES', valueFrom: { configMapKeyRef: { name: `${app}-settings`, key: 'features' } } });
    volumes.push({ name: 'tls', secret: { secretName: `${app}-tls`, defaultMode: 420 } });
    volumeMounts.push({ name: 'tls', mountPath: '/etc/tls', readOnly: true });
  }
  const token = `kube-api-access-${tokenSuffix}`;
  volumes.push({
    name: token,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  });
  volumeMounts.push({ name: token, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' });
  return {
    volumes,
    containers: [{
      name: app,
      image: `registry.example.com/${namespace}/${app}:1.4.2`,
      ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
      ...(envFrom.length ? { envFrom } : {}),
      env,
      resources: { limits: { memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
      volumeMounts,
      readinessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      imagePullPolicy: 'IfNotPresent',
    }],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    serviceAccountName: 'default',
    serviceAccount: 'default',
    nodeName: 'worker-1',
    securityContext: {},
    imagePullSecrets: [{ name: 'registry-pull' }],
    schedulerName: 'default-scheduler',
    tolerations: [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ],
    priority: 0,
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
  };
}

/**
 * A list body parsed and kept as MappingSource keeps it: each item through lean() (metadata
 * without managedFields or last-applied-configuration; of a virtual Pod's spec only the
 * references). Our items carry their kind; the lister knows it from the list it watches. The
 * parsed list dies with this frame, so only what lean() keeps stays reachable.
 */
function leanList(generated: Generated, body: 'virtualBody' | 'hostBody'): KubeObject[] {
  const side = body === 'virtualBody' ? 'virtual' : 'host';
  return (JSON.parse(generated[body]) as { items: Array<RawObject & { kind: string }> }).items.map((item) => lean(item, { kind: item.kind, side }));
}

/**
 * buildMapping as it ships: src/vcluster/mapping.ts bundled by esbuild as esbuild.js does for
 * --production (minified, node20). Not tsx's transform, which adds keepNames wrappers (__name
 * calls on every inner closure) that the extension's bundle does not have.
 */
function shippedModel(): MappingModule {
  const built = buildSync({
    // BENCH_MAPPING_MODULE: a candidate copy of mapping.ts to measure instead, same checks.
    entryPoints: [process.env.BENCH_MAPPING_MODULE || join(__dirname, '..', 'src', 'vcluster', 'mapping.ts')],
    bundle: true, minify: true, platform: 'node', format: 'cjs', target: 'node20', write: false, logLevel: 'warning',
  });
  const folder = mkdtempSync(join(tmpdir(), 'vcluster-bench-mapping-'));
  try {
    const file = join(folder, 'mapping.js');
    writeFileSync(file, built.outputFiles[0]!.text);
    return createRequire(__filename)(file) as MappingModule;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * The pairs a correct model makes of the generated objects: the counts per status, every virtual
 * object present; with `hostNames`, also that each synced Pod, Service, ConfigMap and Secret was
 * paired with the host object the syncer named for it.
 */
function check(model: MappingModule, pairs: readonly MappingPair[], expected: Record<PairStatus, number>, objects: number, hostNames = false): void {
  const found = model.countByStatus(pairs);
  const wrong = (Object.keys(expected) as PairStatus[]).filter((status) => found[status] !== expected[status]);
  if (wrong.length > 0) {
    throw new Error(`bench: buildMapping of ${objects} objects found ${JSON.stringify(found)}, expected ${JSON.stringify(expected)}`);
  }
  const withVirtual = pairs.filter((pair) => pair.virtual).length;
  if (withVirtual < objects) throw new Error(`bench: only ${withVirtual} pairs have a virtual side, of ${objects} virtual objects`);
  if (!hostNames) return;
  for (const pair of pairs) {
    if (pair.status !== 'synced' || !pair.virtual || !pair.host) continue;
    const { name, namespace = '' } = pair.virtual;
    const expectedName = pair.id === 'Service/default/kubernetes' ? VCLUSTER : hostName(name, namespace, VCLUSTER);
    if (pair.host.name !== expectedName || pair.host.namespace !== HOST_NAMESPACE) {
      throw new Error(`bench: ${pair.id} was paired with host ${pair.host.namespace}/${pair.host.name}, not ${HOST_NAMESPACE}/${expectedName}`);
    }
  }
}

/** The inputs (as MappingSource keeps them) and expected counts of one size, for profiling. */
export function mappingInput(objects: number, model: MappingModule = shippedModel()): { input: MappingInput; expected: Record<PairStatus, number>; model: MappingModule } {
  const generated = generate(objects);
  const input = { vclusterName: VCLUSTER, hostNamespace: HOST_NAMESPACE, sync: model.syncSettings(undefined), virtualObjects: leanList(generated, 'virtualBody'), hostObjects: leanList(generated, 'hostBody') };
  return { input, expected: generated.expected, model };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

type Heap = () => number;

/** One size, in this process; needs --expose-gc. */
function measureSize(objects: number, runs: number): MappingSizeResult {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('bench: the mapping measurement needs node --expose-gc');
  // Full GCs until heapUsed stops falling, in case some garbage goes only in a later GC than the
  // first (it would be counted in the next step instead of this one).
  const heap = () => {
    let previous = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 10; round++) {
      gc();
      const used = process.memoryUsage().heapUsed;
      if (previous - used < 64 * 1024) return used;
      previous = used;
    }
    return previous;
  };
  const model = shippedModel();
  warmUp(model);
  const generated = generate(objects);
  const { input, held, bytesPerObject } = measureMemory(model, generated, heap);
  const { expected } = generated;
  check(model, held, expected, objects, true);

  const warmUntil = performance.now() + WARMUP_MS;
  for (let run = 0; run < WARMUP_RUNS || performance.now() < warmUntil; run++) check(model, model.buildMapping(input), expected, objects);
  const runsMs: number[] = [];
  // Back to back, as the warm-up: each run pays its share of collecting what the runs before it
  // made, as repeated recomputes do in the extension. (Forcing a full GC before each run made
  // them 2-4× slower here: a heap state the extension's recomputes are not in.)
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const pairs = model.buildMapping(input);
    runsMs.push(performance.now() - started);
    check(model, pairs, expected, objects);
  }
  return {
    objects,
    namespaces: generated.namespaces,
    hostObjects: generated.hostObjects,
    pairs: held.length,
    expected,
    runsMs,
    medianMs: median(runsMs),
    bytesPerObject,
  };
}

/**
 * Runs the code once on one namespace, so the memory figures hold objects, not the compiled code
 * and type feedback of a first call. Its own frame: nothing it made is left in a register of the
 * measuring one.
 */
function warmUp(model: MappingModule): void {
  const small = mappingInput(OBJECTS_PER_NAMESPACE, model);
  check(model, model.buildMapping(small.input), small.expected, OBJECTS_PER_NAMESPACE, true);
}

/**
 * Each figure is the growth from one step, with everything else (the list bodies included) alive
 * on both sides; a body is released between steps. Nothing else happens in this frame, and the
 * bodies are read only inside leanList, so no stale register here keeps garbage alive at a reading.
 */
function measureMemory(model: MappingModule, generated: Generated, heap: Heap): { input: MappingInput; held: MappingPair[]; bytesPerObject: MappingSizeResult['bytesPerObject'] } {
  const objects = generated.objects;
  const sync = model.syncSettings(undefined);
  const before = heap();
  const virtualObjects = leanList(generated, 'virtualBody');
  const afterVirtual = heap();
  generated.virtualBody = '';
  const beforeHost = heap();
  const hostObjects = leanList(generated, 'hostBody');
  const afterHost = heap();
  generated.hostBody = '';
  const beforePairs = heap();
  const input: MappingInput = { vclusterName: VCLUSTER, hostNamespace: HOST_NAMESPACE, hostObjects, virtualObjects, sync };
  const held = model.buildMapping(input);
  const afterPairs = heap();
  const virtual = afterVirtual - before;
  const host = afterHost - beforeHost;
  const pairs = afterPairs - beforePairs;
  return {
    input,
    held,
    bytesPerObject: { virtual: virtual / objects, host: host / objects, pairs: pairs / objects, total: (virtual + host + pairs) / objects },
  };
}

/**
 * Every size, each in a fresh `node --expose-gc` process (a clean heap for the memory figure, and
 * no size's garbage in another's timing). The parent needs no flag.
 */
export function measureMapping(sizes: readonly number[] = MAPPING_SIZES, runs = Number(process.env.BENCH_MAPPING_RUNS ?? DEFAULT_RUNS)): MappingSizeResult[] {
  if (!Number.isInteger(runs) || runs < 7) throw new Error(`bench: BENCH_MAPPING_RUNS must be 7 or more, not ${runs}`);
  return sizes.map((objects) => {
    // Steady heap readings: --no-flush-bytecode, or a full GC may drop the bytecode of functions
    // not run lately (the loader's, esbuild's), hundreds of KB between two readings;
    // --no-concurrent-recompilation, or an optimizing job still running on another thread holds
    // what it was compiled against (≈1 MB of the generator's garbage at 1k) through a reading. It
    // changes when optimized code is made (during the warm-up), not what it is.
    const child = spawnSync(process.execPath, ['--expose-gc', '--no-flush-bytecode', '--no-concurrent-recompilation', '--import', 'tsx', __filename, '--child', String(objects), String(runs)], {
      cwd: join(__dirname, '..'), encoding: 'utf8', timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024,
    });
    if (child.status !== 0) throw new Error(`bench: mapping of ${objects} objects failed (${child.error?.message ?? `exit ${child.status}`}):\n${child.stderr}`);
    const line = child.stdout.trim().split('\n').pop() ?? '';
    return JSON.parse(line) as MappingSizeResult;
  });
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;

/** Rows for bench/run.ts's table: measure, result, goal, met/MISSED. */
export function mappingRows(results: readonly MappingSizeResult[]): string[][] {
  return results.flatMap((result) => {
    const timeGoal = result.objects === TIME_GOAL_OBJECTS;
    return [
      [
        `mapping model, ${result.objects.toLocaleString('en-US')} virtual objects (${result.namespaces} namespaces) + ${result.hostObjects.toLocaleString('en-US')} host objects: buildMapping (median of ${result.runsMs.length})`,
        `${result.medianMs.toFixed(1)} ms`,
        timeGoal ? `≤ ${TIME_GOAL_MS} ms` : '-',
        timeGoal ? (result.medianMs <= TIME_GOAL_MS ? 'met' : 'MISSED') : '-',
      ],
      ['  retained memory per virtual object: virtual + host objects + pairs', kb(result.bytesPerObject.total), `≤ ${BYTES_PER_OBJECT_GOAL / 1024} KB`, result.bytesPerObject.total <= BYTES_PER_OBJECT_GOAL ? 'met' : 'MISSED'],
      ['  of which the pairs alone', kb(result.bytesPerObject.pairs), '-', '-'],
    ];
  });
}

/** Lines under the table: the samples and the memory split. */
export function mappingDetails(results: readonly MappingSizeResult[]): string[] {
  return results.map((result) => {
    const { virtual, host, pairs } = result.bytesPerObject;
    const counts = Object.entries(result.expected).map(([status, count]) => `${status} ${count}`).join(', ');
    return `mapping ${result.objects}: runs ${result.runsMs.map((value) => value.toFixed(1)).join(', ')} ms; per object: virtual ${kb(virtual)}, host ${kb(host)}, pairs ${kb(pairs)}; ${result.pairs} pairs (${counts}), checked`;
  });
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    // One size, for measureMapping's parent: the result as one JSON line.
    console.log(JSON.stringify(measureSize(Number(args[1]), Number(args[2]))));
  } else {
    // `node --import tsx bench/mapping.ts [sizes…]`: just this part, as rows of the bench table.
    const sizes = args.length > 0 ? args.map(Number) : MAPPING_SIZES;
    const results = measureMapping(sizes);
    console.log('| measure | result | goal | |\n| --- | --- | --- | --- |');
    for (const row of mappingRows(results)) console.log(`| ${row.join(' | ')} |`);
    console.log(`\n${mappingDetails(results).join('\n')}`);
  }
}
