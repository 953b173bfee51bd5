import { homedir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/**
 * Which kubeconfig files to read, in the order kubectl reads them: the extension's setting when
 * it names files, else every path in KUBECONFIG, else ~/.kube/config. Empty entries and repeats
 * are dropped (kubectl ignores them too); "~" is expanded because users write it in settings.
 */
export function kubeconfigPaths(options: {
  configured: readonly string[];
  kubeconfigEnv: string | undefined;
  home?: string;
  cwd?: string;
}): string[] {
  const home = options.home ?? homedir();
  const cwd = options.cwd ?? process.cwd();
  const expand = (path: string) => {
    const trimmed = path.trim();
    const withHome = trimmed === '~' ? home : trimmed.startsWith('~/') ? join(home, trimmed.slice(2)) : trimmed;
    return isAbsolute(withHome) ? withHome : resolve(cwd, withHome);
  };
  const configured = options.configured.filter((path) => path.trim() !== '');
  const fromEnv = (options.kubeconfigEnv ?? '').split(delimiter).filter((path) => path.trim() !== '');
  const chosen = configured.length > 0 ? configured : fromEnv.length > 0 ? fromEnv : [join(home, '.kube', 'config')];
  return [...new Set(chosen.map(expand))];
}
