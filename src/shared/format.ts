/** kubectl's AGE column, coarsely: 90s, 14m, 5h, 3d. */
export function formatAge(created: Date | undefined, now = Date.now()): string {
  if (!created) return '';
  const seconds = Math.max(0, Math.floor((now - created.getTime()) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** Text made safe to put in Markdown (a tooltip): every character Markdown gives a meaning is escaped. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');
}
