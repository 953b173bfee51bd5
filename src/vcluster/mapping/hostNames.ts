import { createHash } from 'node:crypto';

/**
 * The syncer's host names, reproduced exactly (loft-sh/vcluster v0.36.1,
 * pkg/util/translate/translate.go and single_namespace.go), so the extension can say which host
 * object a virtual one becomes without asking the syncer. Checked against the syncer's own Go
 * code on generated cases (test/integration/translate.test.ts).
 */

/** Kubernetes names are at most 63 bytes; longer joins are cut and suffixed with a hash. */
const MAX_NAME_BYTES = 63;

/**
 * The syncer's SafeConcatName: parts joined with "-"; over 63 bytes, the first 52 bytes, "-" and
 * the first 10 hex digits of the whole join's SHA-256, then every ".-" becomes "-" (a cut that
 * ends in "." must not leave ".-", which is not a valid name). Go counts bytes, so do we.
 */
export function safeConcatName(...parts: string[]): string {
  const full = parts.join('-');
  // Kubernetes names are DNS-1123 (ASCII), so here a character is a byte, as Go counts.
  if (full.length <= MAX_NAME_BYTES) return full;
  const digest = createHash('sha256').update(full, 'utf8').digest('hex').slice(0, 10);
  return `${full.slice(0, 52)}-${digest}`.replaceAll('.-', '-');
}

/** Host name of namespaced virtual object `namespace/name` of vCluster `vclusterName`. */
export function hostName(name: string, namespace: string, vclusterName: string): string {
  if (name === '') return '';
  return safeConcatName(name, 'x', namespace, 'x', vclusterName);
}

/** Host name of a cluster-scoped virtual object (when its kind is synced to the host at all). */
export function clusterScopedHostName(name: string, hostNamespace: string, vclusterName: string): string {
  if (name === '') return '';
  return safeConcatName('vcluster', name, 'x', hostNamespace, 'x', vclusterName);
}

/**
 * The short form the syncer uses where a long name would not fit (ResourceClaims): "v" and the
 * first 13 base36 digits of SHA-256 over the same join (pkg/util/base36: big-endian number,
 * digits 0-9a-z, one "0" per leading zero byte).
 */
export function shortHostName(name: string, namespace: string, vclusterName: string): string {
  if (name === '') return '';
  const digest = createHash('sha256').update([name, 'x', namespace, 'x', vclusterName].join('-')).digest();
  let encoded = BigInt(`0x${digest.toString('hex')}`).toString(36);
  for (const byte of digest) {
    if (byte !== 0) break;
    encoded = `0${encoded}`;
  }
  return `v${encoded.slice(0, 13)}`;
}
