// The binaries of the local host cluster: kube-apiserver, kube-controller-manager, kube-scheduler
// and kubectl, etcd, kwok and kwokctl, from the one build of localBinaries.ts (cached under the
// pinned versions; a second run only checks a stamp).
import { join } from 'node:path';
import { goVersion, reportedVersion } from './goBuild';
import { builtLocalBinariesDir, ensureLocalBinariesDir } from './localBinaries';

export interface HostBinaries {
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubectl: string;
  etcd: string;
  kwok: string;
  kwokctl: string;
}

/** Builds whatever is missing (minutes, cold; the set-up normally did it) and returns the paths. */
export async function ensureHostBinaries(): Promise<HostBinaries> {
  if (!builtLocalBinariesDir()) await goVersion();
  return binariesIn(await ensureLocalBinariesDir());
}

/** The binaries if already built, without building anything. */
export function cachedHostBinaries(): HostBinaries | undefined {
  const dir = builtLocalBinariesDir();
  return dir ? binariesIn(dir) : undefined;
}

function binariesIn(dir: string): HostBinaries {
  return {
    kubeApiserver: join(dir, 'kube-apiserver'),
    kubeControllerManager: join(dir, 'kube-controller-manager'),
    kubeScheduler: join(dir, 'kube-scheduler'),
    kubectl: join(dir, 'kubectl'),
    etcd: join(dir, 'etcd'),
    kwok: join(dir, 'kwok'),
    kwokctl: join(dir, 'kwokctl'),
  };
}

/** What each binary says its version is: proof that the build stamped the real version. */
export function reportedVersions(binaries: HostBinaries): Record<string, string> {
  const ask = reportedVersion;
  return {
    'kube-apiserver': ask(binaries.kubeApiserver, ['--version']),
    'kube-controller-manager': ask(binaries.kubeControllerManager, ['--version']),
    'kube-scheduler': ask(binaries.kubeScheduler, ['--version']),
    kubectl: ask(binaries.kubectl, ['version', '--client']),
    etcd: ask(binaries.etcd, ['--version']),
    kwok: ask(binaries.kwok, ['--version']),
    kwokctl: ask(binaries.kwokctl, ['--version']),
  };
}
