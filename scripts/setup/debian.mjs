// The machine packages the tests and the sandbox need, checked in one go and, where we may,
// installed with apt. Only root can install them; anyone else gets the exact command to run.
import { existsSync } from 'node:fs';
import { SetupProblem } from './errors.mjs';
import { runProgram, tailLines, which } from './system.mjs';

/**
 * What needs what. code-server's install compiles native modules (kerberos reads the krb5 headers
 * through pkg-config; node-gyp needs g++, make and python3) and takes ripgrep from Debian's rg
 * (its own download comes from GitHub, unreachable here). The E2E tests drive Debian's Chromium,
 * with a font so that pages render text.
 */
export const MACHINE_PACKAGES = {
  codeServer: [
    { package: 'libkrb5-dev', dpkg: true },
    { package: 'pkg-config', command: 'pkg-config' },
    { package: 'ripgrep', command: 'rg' },
    { package: 'g++', command: 'g++' },
    { package: 'make', command: 'make' },
    { package: 'python3', command: 'python3' },
  ],
  browser: [
    { package: 'chromium', file: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    { package: 'fonts-liberation', dpkg: true },
  ],
};

/** Installed Debian packages among `names` (one dpkg-query call); undefined where there is no dpkg. */
async function installedDebianPackages(names) {
  if (!which('dpkg-query')) return undefined;
  const { output } = await runProgram('dpkg-query', ['-W', '-f=${Package} ${db:Status-Abbrev}\n', ...names], { timeoutMs: 30_000 });
  const installed = new Set();
  for (const line of output.split('\n')) {
    const [name, status] = line.trim().split(/\s+/);
    if (name && status?.startsWith('ii')) installed.add(name.replace(/:.*$/, ''));
  }
  return installed;
}

/** The packages of `requirements` that this machine lacks. */
export async function missingPackages(requirements) {
  const dpkgNames = requirements.filter((entry) => entry.dpkg).map((entry) => entry.package);
  const installed = dpkgNames.length > 0 ? await installedDebianPackages(dpkgNames) : new Set();
  return requirements.filter((entry) => {
    if (entry.command) return !which(entry.command);
    if (entry.file) return !existsSync(entry.file);
    // No dpkg: not a Debian machine; the package's own check cannot be made, so trust it is there.
    return installed !== undefined && !installed.has(entry.package);
  }).map((entry) => entry.package);
}

export function installCommand(packages) {
  return `sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/**
 * Installs `packages` with apt-get (root only). Recommended packages are left out: Chromium's
 * recommendations alone are some 200 packages (printing, Avahi, Samba, Perl's web stack) that a
 * headless browser never uses.
 */
export async function installPackages(packages, { onOutput } = {}) {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !which('apt-get')) {
    const how = which('apt-get')
      ? `Run as root, or install them first: ${installCommand(packages)}`
      : `This machine has no apt-get: install them (or your system's equivalents) with its package manager.`;
    throw new SetupProblem(`Missing machine packages: ${packages.join(', ')}. ${how}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = await runProgram('apt-get', ['update', '-qq'], { env, timeoutMs: 10 * 60_000, onOutput });
  if (update.code !== 0) {
    throw new SetupProblem(`apt-get update failed (exit ${update.code}); check the machine's Debian mirror, then run again.\n${tailLines(update.output)}`);
  }
  const install = await runProgram('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env, timeoutMs: 20 * 60_000, onOutput });
  if (install.code !== 0) {
    throw new SetupProblem(`apt-get install ${packages.join(' ')} failed (exit ${install.code}); the lines below say why.\n${tailLines(install.output)}`);
  }
}
