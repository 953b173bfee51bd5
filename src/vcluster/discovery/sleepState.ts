import { configSecretName, SLEEP_FORCE_DURATION_ANNOTATION, SLEEP_TYPE_ANNOTATION, SLEEPING_SINCE_ANNOTATION } from '../identity';

/**
 * What discovery keeps of a vCluster's config Secret (vc-config-NAME): only its metadata is ever
 * asked for, never its data (the config may hold credentials), and of that metadata only the
 * platform's sleep-mode marks. Every other annotation stays behind: kubectl's
 * last-applied-configuration would carry the data itself, and an activity timestamp
 * (sleepmode.loft.sh/last-activity), rewritten as the vCluster is used, would redraw the tree for nothing.
 */

/** The sleep-mode annotations of a config Secret, by key. Values come from the cluster: shown as text only. */
export type SleepMarks = Readonly<Record<string, string>>;

const KEPT_ANNOTATIONS = [SLEEP_TYPE_ANNOTATION, SLEEPING_SINCE_ANNOTATION, SLEEP_FORCE_DURATION_ANNOTATION] as const;
/** A mark longer than this is cut: it is shown in a tooltip and a document, never parsed further. */
const MAX_MARK_CHARS = 200;

export interface ConfigSecretMarks {
  namespace: string;
  /** The vCluster's name: the Secret is vc-config-NAME. */
  vcluster: string;
  sleep: SleepMarks;
}

const CONFIG_SECRET_PREFIX = configSecretName('');

/** The lean copy of one Secret's metadata; undefined for a Secret that is no vCluster's config. */
export function configSecretMarks(secret: { metadata?: { name?: unknown; namespace?: unknown; annotations?: unknown } }): ConfigSecretMarks | undefined {
  const { name, namespace, annotations } = secret.metadata ?? {};
  if (typeof name !== 'string' || typeof namespace !== 'string' || !name.startsWith(CONFIG_SECRET_PREFIX)) return undefined;
  const vcluster = name.slice(CONFIG_SECRET_PREFIX.length);
  if (!vcluster) return undefined;
  return { namespace, vcluster, sleep: sleepMarks(annotations) };
}

/** The kept sleep-mode annotations of an object's annotations (anything else in them is dropped). */
export function sleepMarks(annotations: unknown): SleepMarks {
  const marks: Record<string, string> = {};
  if (!annotations || typeof annotations !== 'object') return marks;
  for (const key of KEPT_ANNOTATIONS) {
    if (!Object.hasOwn(annotations, key)) continue;
    const value = (annotations as Record<string, unknown>)[key];
    // One line of text whatever the cluster wrote: shown in a tooltip's list and a document's column.
    if (typeof value === 'string') marks[key] = value.replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ').slice(0, MAX_MARK_CHARS);
  }
  return marks;
}

/** The CLI's test (pkg/cli/find/find.go getVCluster): the sleep-type key is there, whatever its value. */
export function isWorkloadSleeping(marks: SleepMarks | undefined): boolean {
  return marks !== undefined && Object.hasOwn(marks, SLEEP_TYPE_ANNOTATION);
}

export interface SleepStateRow {
  label: string;
  value: string;
}

/** What the platform's sleep types mean (agentapi cluster/v1 SleepType* constants). */
const SLEEP_TYPE_MEANINGS: Readonly<Record<string, string>> = {
  inactivitySleep: 'after a period of inactivity',
  forcedSleep: 'put to sleep on request',
  forcedDurationSleep: 'put to sleep on request, for a set time',
  scheduledSleep: 'on its sleep schedule',
};

/**
 * The current sleep state as label/value rows (empty when the config Secret carries no marks):
 * its type, since when (the agent writes Unix seconds), and for how long a forced sleep lasts.
 * `formatTime` is the reader's: the tooltip says how long ago, Describe prints a date.
 */
export function sleepStateRows(marks: SleepMarks | undefined, formatTime: (date: Date) => string): SleepStateRow[] {
  const rows: SleepStateRow[] = [];
  if (!marks) return rows;
  const type = marks[SLEEP_TYPE_ANNOTATION];
  if (type !== undefined) {
    const meaning = Object.hasOwn(SLEEP_TYPE_MEANINGS, type) ? SLEEP_TYPE_MEANINGS[type] : undefined;
    rows.push({ label: 'Sleep type', value: type === '' ? '(none given)' : meaning ? `${type} (${meaning})` : type });
  }
  const since = marks[SLEEPING_SINCE_ANNOTATION];
  if (since !== undefined && since !== '') {
    const seconds = /^\d{1,12}$/.test(since) ? Number(since) : undefined;
    rows.push({ label: 'Sleeping since', value: seconds !== undefined && seconds > 0 ? formatTime(new Date(seconds * 1000)) : since });
  }
  const duration = marks[SLEEP_FORCE_DURATION_ANNOTATION];
  if (duration !== undefined && duration !== '') {
    const seconds = /^-?\d{1,12}$/.test(duration) ? Number(duration) : undefined;
    // As the platform reads it (pkg/platform/helper.go canAutoWakeup): 0 sleeps until woken, a negative value forces nothing.
    const value = seconds === undefined ? duration : seconds === 0 ? 'until woken on request' : seconds < 0 ? 'not forced' : formatSeconds(seconds);
    rows.push({ label: 'Forced for', value });
  }
  return rows;
}

/** Whole seconds, shortest: 45s, 1m30s, 2h. */
export function formatSeconds(total: number): string {
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const parts = [hours ? `${hours}h` : '', minutes ? `${minutes}m` : '', seconds || (!hours && !minutes) ? `${seconds}s` : ''];
  return parts.join('');
}
