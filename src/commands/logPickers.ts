import * as vscode from 'vscode';
import type { PodInfo } from '../vcluster/discovery/controlPlanePods';

/** What the log commands read of a pod: its containers, and how often each restarted. */
export type PodObject = PodInfo;

/** The syncer first (what users look for), then the chart's other containers, init containers last. */
export async function pickContainer(pod: PodObject, title: string): Promise<string | undefined> {
  const names = [
    ...(pod.spec?.containers ?? []).map((container) => ({ name: container.name, init: false })),
    ...(pod.spec?.initContainers ?? []).map((container) => ({ name: container.name, init: true })),
  ].filter((entry): entry is { name: string; init: boolean } => Boolean(entry.name));
  names.sort((a, b) => Number(a.init) - Number(b.init) || Number(b.name === 'syncer') - Number(a.name === 'syncer'));
  if (names.length <= 1) return names[0]?.name;
  const picked = await vscode.window.showQuickPick(names.map((entry) => ({ label: entry.name, description: entry.init ? 'init container' : entry.name === 'syncer' ? 'the control plane' : undefined })), { title, placeHolder: 'Which container' });
  return picked?.label;
}

/** false: the current run; true: the one before the last restart (asked only after a restart). */
export async function pickRun(pod: PodObject, container: string, title: string): Promise<boolean | undefined> {
  const status = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((entry) => entry.name === container);
  const restarts = status?.restartCount ?? 0;
  if (restarts === 0) return false;
  const picked = await vscode.window.showQuickPick([
    { label: 'Current run', description: 'follows new lines', previous: false },
    { label: 'Previous run', description: `before the last restart (restarted ${restarts} time${restarts === 1 ? '' : 's'})`, previous: true },
  ], { title, placeHolder: 'Which run of the container' });
  return picked?.previous;
}
