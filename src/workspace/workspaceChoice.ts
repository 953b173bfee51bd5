import { vclusterContextName } from '../vcluster/connect/connectionsKubeconfig';
import { type VClusterRef } from '../vcluster/identity';

/**
 * What one workspace (one VS Code window) works against: a context of the user's kubeconfig, or a
 * vCluster (which gets its own context once connected). Stored in the workspace's state, or
 * committed by a team as the `vcluster.workspace.context` setting:
 * `{ "context": "kind-dev" }` or `{ "context": "kind-dev", "vcluster": "vcluster-dev/dev" }`.
 */
export type WorkspaceChoice =
  | { kind: 'host'; context: string }
  | { kind: 'vcluster'; vcluster: VClusterRef };

const MAX_NAME = 253;
const isName = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '' && value.length <= MAX_NAME;

/** The stored or configured value, checked; undefined for anything else. */
export function parseWorkspaceChoice(value: unknown): WorkspaceChoice | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (!isName(record.context)) return undefined;
  if (record.vcluster === undefined || record.vcluster === '') return { kind: 'host', context: record.context };
  if (typeof record.vcluster !== 'string') return undefined;
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)$/.exec(record.vcluster.trim());
  if (!match) return undefined;
  return { kind: 'vcluster', vcluster: { hostContext: record.context, namespace: match[1]!, name: match[3]! } };
}

/** The value to store (the same shape as the setting, so one parser reads both). */
export function storedWorkspaceChoice(choice: WorkspaceChoice): { context: string; vcluster?: string } {
  return choice.kind === 'host' ? { context: choice.context } : { context: choice.vcluster.hostContext, vcluster: `${choice.vcluster.namespace}/${choice.vcluster.name}` };
}

/** The kubeconfig context the workspace's file makes current. */
export function contextOfChoice(choice: WorkspaceChoice): string {
  return choice.kind === 'host' ? choice.context : vclusterContextName(choice.vcluster);
}

export function sameChoice(a: WorkspaceChoice | undefined, b: WorkspaceChoice | undefined): boolean {
  if (!a || !b) return a === b;
  return JSON.stringify(storedWorkspaceChoice(a)) === JSON.stringify(storedWorkspaceChoice(b));
}

/** For the status bar and messages: "kind-dev", or "dev (vCluster on kind-dev)". */
export function describeChoice(choice: WorkspaceChoice): string {
  return choice.kind === 'host' ? choice.context : `${choice.vcluster.name} (vCluster on ${choice.vcluster.hostContext})`;
}

/** What the workspace's state holds when its user chose "no context of its own". */
export const NO_WORKSPACE_CHOICE = 'none';

/**
 * This window's choice: what its user chose (a context, or explicitly none), else the team's
 * committed setting, else nothing.
 */
export function effectiveChoice(stored: unknown, configured: unknown): WorkspaceChoice | undefined {
  if (stored === NO_WORKSPACE_CHOICE) return undefined;
  return parseWorkspaceChoice(stored) ?? parseWorkspaceChoice(configured);
}
