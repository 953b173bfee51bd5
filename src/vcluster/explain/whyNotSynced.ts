import { SYNCABLE_KINDS, type MappingPair, type SyncSettings } from '../mapping/mapping';
import { SYNC_ERROR_REASON, syncErrorReason, type ObjectEvent } from '../mapping/pairEvents';

/**
 * "Why is this not synced?": what explains a pair that is pending, failed or virtual-only, from
 * what the extension can read — the vCluster's sync config for the kind, the events on both
 * sides, the syncer's log lines that name the object, the host name it should get — and one
 * plain-language verdict. Pure: gatherWhy.ts reads the cluster, whyText.ts writes the document.
 */

export type WhyCause =
  | 'synced'
  | 'kindNotSynced'
  | 'notUsedByPod'
  | 'hostRejected'
  | 'syncerNotRunning'
  | 'virtualUnreachable'
  | 'waitingForDependency'
  | 'justCreated'
  | 'unknown';

export interface WhyVerdict {
  cause: WhyCause;
  /** One or two sentences a user can act on. */
  text: string;
}

/** The sync switch of the pair's kind in this vCluster's config. */
export interface KindSyncConfig {
  /** sync.toHost.<key> */
  configKey: string;
  /** Whether the kind can be synced at all (a kind the syncer does not know never is). */
  syncable: boolean;
  enabled: boolean;
  /** ConfigMaps/Secrets: every one synced (`all: true`), or only those pods use. */
  all?: boolean;
}

export type SyncerState =
  | { state: 'running'; pod: string }
  | { state: 'notRunning'; reason: string };

export interface WhyInput {
  pair: MappingPair;
  vclusterName: string;
  /** The status discovery shows (Running, Paused, …). */
  vclusterStatus: string;
  sync: SyncSettings;
  events: readonly ObjectEvent[];
  /** Why a side's events are missing. */
  eventNotes: readonly string[];
  syncer: SyncerState;
  /** The syncer's log lines that name the object (newest last), or why they could not be read. */
  syncerLog: { lines: readonly string[]; searched: number } | { problem: string };
  /** Whether the virtual cluster could be read (the mapping is then built from host markers only). */
  virtualReachable: boolean;
  now: Date;
}

export interface WhyReport {
  verdict: WhyVerdict;
  kindConfig: KindSyncConfig;
  /** The host object it should get (or has). */
  expectedHost?: { namespace?: string; name: string };
  input: WhyInput;
}

/** A pair younger than this with nothing else to say is only "not handled yet". */
const JUST_CREATED_MS = 10_000;

/** Log words of a syncer waiting for something before it syncs an object. */
const WAITING = /\b(wait(ing)?|delay(ing)?|not found|requeue|does not exist yet)\b/i;

export function kindSyncConfig(kind: string, sync: SyncSettings): KindSyncConfig {
  const entry = SYNCABLE_KINDS.find((candidate) => candidate.kind === kind);
  if (!entry) return { configKey: '', syncable: false, enabled: false };
  return {
    configKey: entry.configKey,
    syncable: true,
    enabled: sync.enabled.has(kind),
    ...(entry.onlyWhenUsedByPods ? { all: sync.syncAll.has(kind) } : {}),
  };
}

/**
 * Lines of the syncer's log about one object: its namespace/name as the syncer prints it
 * ("error syncing Pod default/over"), the controller-runtime fields ("namespace": "default",
 * "name": "over"), or its host name. Whole words only: default/over is not default/overflow.
 */
export function linesNaming(lines: readonly string[], object: { namespace?: string; name: string }, hostName: string | undefined, limit = 30): string[] {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const word = (text: string) => new RegExp(`(^|[^\\w.-])${escape(text)}($|[^\\w.-])`);
  const qualified = object.namespace ? word(`${object.namespace}/${object.name}`) : undefined;
  const nameField = `"name": "${object.name}"`;
  const namespaceField = object.namespace ? `"namespace": "${object.namespace}"` : undefined;
  const host = hostName ? word(hostName) : undefined;
  const matches = lines.filter((line) => (qualified?.test(line) ?? false)
    || (line.includes(nameField) && (namespaceField === undefined || line.includes(namespaceField)))
    || (host?.test(line) ?? false)
    || (!object.namespace && word(object.name).test(line)));
  return matches.slice(-limit);
}

export function explainWhyNotSynced(input: WhyInput): WhyReport {
  const { pair } = input;
  const kindConfig = kindSyncConfig(pair.kind, input.sync);
  const report = (verdict: WhyVerdict): WhyReport => ({ verdict, kindConfig, ...(pair.host ? { expectedHost: { ...(pair.host.namespace ? { namespace: pair.host.namespace } : {}), name: pair.host.name } } : {}), input });
  const name = `${pair.kind} ${pair.virtual?.namespace ? `${pair.virtual.namespace}/` : ''}${pair.virtual?.name ?? pair.host?.name ?? ''}`;

  if (pair.status === 'synced') return report({ cause: 'synced', text: `${name} is synced: the host object ${pair.host?.name ?? ''} exists.` });
  if (!kindConfig.syncable) {
    return report({ cause: 'kindNotSynced', text: `${pair.kind} is not a kind the vCluster syncer copies to the host: it lives in the virtual cluster only (the pods it makes are synced).` });
  }
  if (!kindConfig.enabled) {
    return report({ cause: 'kindNotSynced', text: `This vCluster's config does not sync ${pair.kind} to the host: sync.toHost.${kindConfig.configKey}.enabled is false. Set it to true in vcluster.yaml and upgrade the vCluster to sync it.` });
  }
  if (pair.status === 'virtualOnly' && kindConfig.all === false) {
    return report({ cause: 'notUsedByPod', text: `No pod uses ${name}, and only the ${pair.kind}s that pods use are synced (sync.toHost.${kindConfig.configKey}.all is false). Reference it from a pod, or set all: true.` });
  }
  const syncError = input.events.find((event) => event.side === 'virtual' && event.type === 'Warning' && event.reason === SYNC_ERROR_REASON);
  if (pair.status === 'error' || syncError) {
    const reason = pair.problem ?? syncErrorReason(syncError?.message ?? '');
    const hint = /exceeded quota/i.test(reason) ? ` A ResourceQuota in host namespace ${pair.host?.namespace ?? ''} is full: ask for more, or free some.`
      : /forbidden/i.test(reason) ? ' The syncer\'s host service account may not do this, or an admission policy refused it.'
        : /invalid/i.test(reason) ? ' The host API server rejected the object as the syncer translated it.' : '';
    return report({ cause: 'hostRejected', text: `The host refused it: ${reason}.${hint} The syncer keeps retrying; it syncs once the host accepts it.` });
  }
  if (input.syncer.state === 'notRunning') {
    return report({ cause: 'syncerNotRunning', text: `The vCluster's syncer is not running (${input.syncer.reason}), so nothing is synced until it runs again.` });
  }
  if (!input.virtualReachable) {
    return report({ cause: 'virtualUnreachable', text: 'The virtual cluster cannot be read now, so the extension cannot tell; connect to the vCluster and ask again.' });
  }
  const logLines = 'lines' in input.syncerLog ? input.syncerLog.lines : [];
  const waiting = [...logLines].reverse().find((line) => WAITING.test(line));
  const waitingEvent = input.events.find((event) => event.type === 'Warning');
  if (waiting || waitingEvent) {
    const what = waiting ? `the syncer's log says: ${trimLogLine(waiting)}` : `${waitingEvent!.reason}: ${waitingEvent!.message}`;
    return report({ cause: 'waitingForDependency', text: `It is waiting for something — ${what}` });
  }
  const created = pair.virtual?.created ? Date.parse(pair.virtual.created) : NaN;
  if (Number.isFinite(created) && input.now.getTime() - created < JUST_CREATED_MS) {
    return report({ cause: 'justCreated', text: 'It was created seconds ago: the syncer has not handled it yet (it usually takes under a second). Ask again in a moment.' });
  }
  return report({ cause: 'unknown', text: 'No reason found: the syncer wrote no event or log line about it, and its kind is synced by this config. The facts below are all the extension could read.' });
}

/** A log line without its time and level columns, for a sentence. */
function trimLogLine(line: string): string {
  const parts = line.split('\t');
  return (parts.length >= 4 ? parts.slice(3).join(' ') : line).slice(0, 300);
}
