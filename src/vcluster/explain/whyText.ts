import type { WhyReport } from './whyNotSynced';

/**
 * The report as a Markdown document: the verdict first, then every fact it was drawn from. Cluster
 * text (names, messages, log lines) goes into code spans and blocks only, so a hostile event
 * message cannot become a link or markup in the preview.
 */
export function whyNotSyncedText(report: WhyReport): string {
  const { input, verdict, kindConfig, expectedHost } = report;
  const { pair } = input;
  const objectName = `${pair.virtual?.namespace ? `${pair.virtual.namespace}/` : ''}${pair.virtual?.name ?? pair.host?.name ?? ''}`;
  const lines: string[] = [
    `# Why is ${pair.kind} ${code(objectName)} not synced?`,
    '',
    `vCluster ${code(input.vclusterName)} · status ${code(input.vclusterStatus || 'unknown')} · pair status ${code(pair.status)} · checked ${input.now.toISOString()}`,
    '',
    '## Verdict',
    '',
    `> ${inline(verdict.text)}`,
    '',
    '## Sync config for this kind',
    '',
  ];
  if (!kindConfig.syncable) lines.push(`- ${pair.kind} is not a kind the syncer copies to the host.`);
  else {
    lines.push(`- ${code(`sync.toHost.${kindConfig.configKey}.enabled`)}: ${code(String(kindConfig.enabled))}`);
    if (kindConfig.all !== undefined) lines.push(`- ${code(`sync.toHost.${kindConfig.configKey}.all`)}: ${code(String(kindConfig.all))} (${kindConfig.all ? 'every one is synced' : 'only those a pod uses are synced'})`);
  }
  lines.push('', '## Host object', '');
  if (expectedHost) {
    const where = `${expectedHost.namespace ? `${expectedHost.namespace}/` : ''}${expectedHost.name}`;
    lines.push(pair.status === 'pending' || pair.status === 'error' ? `- Should be ${code(where)} (the syncer's name for it); it does not exist.` : `- ${code(where)}`);
  } else {
    lines.push('- None: the syncer makes none for this object.');
  }
  lines.push('', '## Syncer', '');
  lines.push(input.syncer.state === 'running' ? `- Running in pod ${code(input.syncer.pod)}` : `- Not running: ${inline(input.syncer.reason)}`);
  lines.push('', '## Events (both sides, newest first)', '');
  for (const note of input.eventNotes) lines.push(`- ${inline(note)}`);
  if (input.events.length === 0) lines.push('- None (the API server keeps events about an hour).');
  for (const event of input.events.slice(0, 50)) {
    lines.push(`- ${inline(event.lastSeen ?? "(no time)")} · ${event.side} · **${inline(event.type)}** · ${code(event.reason)}${event.count > 1 ? ` ×${event.count}` : ''}${event.source ? ` · ${code(event.source)}` : ''}`);
    lines.push(...fence(event.message).map((line) => `  ${line}`));
  }
  lines.push('', '## Syncer log lines that name it', '');
  if ('problem' in input.syncerLog) lines.push(`- Not read: ${inline(input.syncerLog.problem)}`);
  else if (input.syncerLog.lines.length === 0) lines.push(`- None in the last ${input.syncerLog.searched.toLocaleString('en-US')} lines of the syncer's log.`);
  else lines.push(`The last ${input.syncerLog.lines.length} of the last ${input.syncerLog.searched.toLocaleString('en-US')} lines:`, '', ...fence(input.syncerLog.lines.join('\n')));
  lines.push('');
  return lines.join('\n');
}

/** Cluster text inline: a code span long enough for any backticks inside it. */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${text.startsWith('`') || text.endsWith('`') ? ` ${text} ` : text}${ticks}`;
}

/** A sentence of ours that quotes cluster text: Markdown's active characters escaped. */
function inline(text: string): string {
  return text.replace(/[\\`*_[\]<>()#!|~]/g, '\\$&').replace(/\n/g, ' ');
}

function fence(text: string): string[] {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = '`'.repeat(longest + 1);
  return [`${ticks}text`, ...text.split('\n'), ticks];
}
