import { ProgramNotFoundError, runProcess, type RunResult } from './run';

/** The command-line programs the extension stands beside, and how each reports its version. */
export type ToolName = 'vcluster' | 'helm' | 'kubectl' | 'kind';

interface ToolDefinition {
  readonly name: ToolName;
  readonly versionArgs: readonly string[];
  readonly parseVersion: (result: RunResult) => string | undefined;
  /** What to tell a user who lacks it. */
  readonly installHint: string;
}

const semverPattern = /v?\d+\.\d+\.\d+(?:[-+][\w.-]+)?/;

function firstSemver(text: string): string | undefined {
  return semverPattern.exec(text)?.[0];
}

/** `kubectl version --client -o json` → clientVersion.gitVersion. */
export function parseKubectlVersion(result: RunResult): string | undefined {
  try {
    const parsed = JSON.parse(result.stdout) as { clientVersion?: { gitVersion?: string } };
    return parsed.clientVersion?.gitVersion ?? firstSemver(result.stdout);
  } catch {
    return firstSemver(result.stdout);
  }
}

/** `vcluster --version` → "vcluster version 0.21.1"; `helm version --short` → "v3.16.2+g13654a5"; `kind version` → "kind v0.24.0 go1.22.6 linux/amd64". */
export function parseFirstVersion(result: RunResult): string | undefined {
  return firstSemver(result.stdout) ?? firstSemver(result.stderr);
}

export const toolDefinitions: Readonly<Record<ToolName, ToolDefinition>> = {
  vcluster: {
    name: 'vcluster',
    versionArgs: ['--version'],
    parseVersion: parseFirstVersion,
    installHint: 'Install the vcluster CLI (https://www.vcluster.com/docs/get-started) or set vcluster.vclusterPath.',
  },
  helm: {
    name: 'helm',
    versionArgs: ['version', '--short'],
    parseVersion: parseFirstVersion,
    installHint: 'Install helm (https://helm.sh/docs/intro/install/) or set vcluster.helmPath.',
  },
  kubectl: {
    name: 'kubectl',
    versionArgs: ['version', '--client', '-o', 'json'],
    parseVersion: parseKubectlVersion,
    installHint: 'Install kubectl (https://kubernetes.io/docs/tasks/tools/) or set vcluster.kubectlPath.',
  },
  kind: {
    name: 'kind',
    versionArgs: ['version'],
    parseVersion: parseFirstVersion,
    installHint: 'Install kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation) and a container engine (Docker or Podman), or set vcluster.kindPath.',
  },
};

export interface ToolStatus {
  readonly name: ToolName;
  /** The command that was run: the configured path, or the bare name looked up on PATH. */
  readonly command: string;
  readonly version?: string;
  /** Why the tool cannot be used; absent when it answered. */
  readonly problem?: string;
  readonly installHint: string;
}

export async function probeTool(name: ToolName, configuredPath: string | undefined, timeoutMs = 10_000): Promise<ToolStatus> {
  const definition = toolDefinitions[name];
  const command = configuredPath?.trim() || name;
  try {
    const result = await runProcess(command, definition.versionArgs, { timeoutMs });
    return { name, command, version: definition.parseVersion(result) ?? 'unknown version', installHint: definition.installHint };
  } catch (error) {
    const problem = error instanceof ProgramNotFoundError
      ? `not found${configuredPath?.trim() ? ` at ${command}` : ' on PATH'}`
      : (error as Error).message.split('\n')[0];
    return { name, command, problem, installHint: definition.installHint };
  }
}
