import { sleepStateRows } from '../discovery/sleepState';
import { displayStatus } from '../discovery/status';
import type { SyncEntry, VClusterDescription } from './describeModel';

/**
 * The description as text, laid out like `vcluster describe` (its tabwriter: each run of
 * label/value lines aligned two spaces past the longest label), followed by what the CLI leaves
 * out: the sync settings and the sleep settings. Unlike the CLI, the vcluster.yaml is shown
 * whole: an editor scrolls, a terminal does not.
 */
export function describeText(model: VClusterDescription): string {
  const lines: string[] = [];
  aligned(lines, '', [
    ['Name:', model.name],
    ['Namespace:', model.namespace],
    ['Host Context:', model.hostContext],
    ['Version:', model.version ?? ''],
    ['Backing Store:', model.backingStore],
    ['Created:', model.created ? rfc1123z(model.created) : ''],
    // The CLI prints nothing while the pods are on their way; the tree's word says more.
    ['Status:', displayStatus(model.status)],
  ]);
  const imageNames = Object.keys(model.images).sort();
  if (imageNames.length > 0) {
    lines.push('Images:');
    aligned(lines, '  ', imageNames.map((name) => [`${name}:`, model.images[name]!]));
  }
  if (model.argoCdTrackingId) lines.push(`Managed by Argo CD (argocd.argoproj.io/tracking-id: ${model.argoCdTrackingId})`);

  lines.push('', 'Synced to the host:');
  syncLines(lines, model.sync.toHost);
  lines.push('', 'Synced from the host:');
  syncLines(lines, model.sync.fromHost);

  lines.push('', 'Sleep:');
  // The state the platform's sleep mode wrote, then the settings the config asks for.
  aligned(lines, '  ', sleepStateRows(model.sleepMarks, rfc1123z).map((row) => [`${row.label}:`, row.value]));
  if (model.sleep) {
    aligned(lines, '  ', model.sleep.settings.map((setting) => [`${model.sleep!.configKey}.${setting.key}:`, setting.value]));
  } else {
    lines.push('  not configured (no sleep or sleepMode in the config)');
  }

  lines.push('', '------------------- vcluster.yaml -------------------');
  if (model.userConfigYaml !== undefined) {
    const yaml = model.userConfigYaml.replace(/\n$/, '');
    lines.push(yaml === '{}' || yaml === '' ? '# (no values: the chart\'s defaults)' : yaml);
  } else {
    lines.push(`# not available: ${model.userConfigProblem ?? 'no helm release was found'}`);
  }
  lines.push('-----------------------------------------------------');
  return `${lines.join('\n')}\n`;
}

function aligned(lines: string[], indent: string, rows: ReadonlyArray<readonly [string, string]>): void {
  const width = Math.max(0, ...rows.map(([label]) => label.length)) + 2;
  for (const [label, value] of rows) lines.push(`${indent}${label.padEnd(width)}${value}`.trimEnd());
}

function syncLines(lines: string[], entries: readonly SyncEntry[]): void {
  const synced = entries.filter((entry) => entry.enabled !== false);
  const notSynced = entries.filter((entry) => entry.enabled === false);
  if (synced.length === 0) lines.push('  nothing');
  for (const entry of synced) {
    const notes = [entry.enabled === 'auto' ? 'auto' : undefined, entry.all ? 'all' : undefined].filter(Boolean);
    lines.push(`  ${entry.key}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`);
  }
  if (notSynced.length > 0) lines.push(`  not synced: ${notSynced.map((entry) => entry.key).join(', ')}`);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's time.RFC1123Z, in UTC: the CLI prints local time, but a document should read the same everywhere. */
export function rfc1123z(date: Date): string {
  const two = (value: number) => String(value).padStart(2, '0');
  return `${DAYS[date.getUTCDay()]}, ${two(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}
