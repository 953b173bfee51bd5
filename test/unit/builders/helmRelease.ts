import { gzipSync } from 'node:zlib';

/** Test-data builders for what a vCluster keeps on its host: helm release Secrets and vc-config. */

/**
 * A helm release Secret's `data.release` as the API server sends it: base64 (the API's) of
 * base64 (helm's) of gzip (unless `compressed: false`, as in releases before helm compressed
 * them) of the release JSON.
 */
export function aHelmReleaseData(options: { config?: Record<string, unknown>; version?: number; status?: string; compressed?: boolean } = {}): string {
  const release = {
    name: 'vc',
    namespace: 'vcluster-vc',
    version: options.version ?? 1,
    info: { status: options.status ?? 'deployed' },
    chart: { metadata: { name: 'vcluster', version: '0.36.1' } },
    config: options.config ?? {},
  };
  const json = Buffer.from(JSON.stringify(release), 'utf8');
  const helmEncoded = (options.compressed === false ? json : gzipSync(json)).toString('base64');
  return Buffer.from(helmEncoded, 'latin1').toString('base64');
}

/** `data.release` wrapping arbitrary bytes the way helm would (for damaged releases). */
export function aHelmReleaseDataOf(bytes: Buffer): string {
  return Buffer.from(bytes.toString('base64'), 'latin1').toString('base64');
}

/** A vCluster config with only the parts a test names; everything else is the chart's default by omission. */
export function aVClusterConfig(options: {
  backingStore?: Record<string, unknown>;
  syncerImage?: { registry?: string; repository?: string; tag?: string };
  apiServerImage?: { registry?: string; repository?: string; tag?: string };
  defaultImageRegistry?: string;
  toHost?: Record<string, unknown>;
  fromHost?: Record<string, unknown>;
  extra?: Record<string, unknown>;
} = {}): Record<string, unknown> {
  return {
    controlPlane: {
      ...(options.backingStore ? { backingStore: options.backingStore } : {}),
      ...(options.defaultImageRegistry ? { advanced: { defaultImageRegistry: options.defaultImageRegistry } } : {}),
      ...(options.syncerImage ? { statefulSet: { image: options.syncerImage } } : {}),
      ...(options.apiServerImage ? { distro: { k8s: { enabled: true, image: options.apiServerImage } } } : {}),
    },
    sync: { toHost: options.toHost ?? {}, fromHost: options.fromHost ?? {} },
    ...options.extra,
  };
}
