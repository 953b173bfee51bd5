import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real VS Code for tests: code-server (VS Code 1.99 server + web workbench) with our packaged
 * .vsix installed into a fresh extensions folder, a fresh user-data folder per run, bound to
 * 127.0.0.1 on a free port. stop() kills it and removes every temp folder, even after a failure.
 */

export interface CodeServerOptions {
  /** The folder the workbench opens. */
  workspaceFolder: string;
  /** Extra environment for the server and so the extension host (KUBECONFIG, PATH, …). */
  env?: NodeJS.ProcessEnv;
  /** User settings written before start. */
  settings?: Record<string, unknown>;
  /** Install the packaged .vsix (default). Off when the workbench loads the extension from source. */
  installVsix?: boolean;
  /** Keep user data here across runs (npm start); tests leave it unset and get a fresh temp folder. */
  stateDir?: string;
  /** Port to bind on 127.0.0.1; a free one when unset. */
  port?: number;
  /**
   * Workspace trust as VS Code has it for a folder the user has not trusted (restricted mode, no
   * start-up prompt). Unset: trust is off, so every folder is trusted (the other tests).
   */
  untrustedWorkspace?: boolean;
}

export interface RunningCodeServer {
  readonly url: string;
  readonly port: number;
  readonly userDataDir: string;
  /** Everything code-server printed: shown when a test fails. */
  log(): string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function packaged(): Promise<{ vsix: string; codeServer: string }> {
  if (process.env.VCLUSTER_E2E_VSIX && process.env.VCLUSTER_E2E_CODE_SERVER) {
    return { vsix: process.env.VCLUSTER_E2E_VSIX, codeServer: process.env.VCLUSTER_E2E_CODE_SERVER };
  }
  // Run directly (not through `npm run test:e2e`): do the tier's set-up here.
  // @ts-expect-error -- a plain .mjs module without type declarations
  const { prepareExtensionPackage } = await import('./prepare.mjs');
  return prepareExtensionPackage();
}

export const defaultSettings: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'git.enabled': false,
  'window.commandCenter': false,
  'workbench.colorTheme': 'Default Dark Modern',
};

export async function startCodeServer(options: CodeServerOptions): Promise<RunningCodeServer> {
  const { vsix, codeServer } = await packaged();
  const base = options.stateDir ?? mkdtempSync(join(tmpdir(), 'vcluster-e2e-'));
  const removeOnStop = options.stateDir === undefined;
  const userDataDir = join(base, 'user-data');
  const extensionsDir = join(base, 'extensions');
  // A fresh extensions folder every start, so the build just packaged is the one that runs.
  rmSync(extensionsDir, { recursive: true, force: true });
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  const settingsFile = join(userDataDir, 'User', 'settings.json');
  if (removeOnStop || !existsSync(settingsFile)) {
    const trust = options.untrustedWorkspace
      ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'never', 'security.workspace.trust.emptyWindow': false }
      : {};
    writeFileSync(settingsFile, JSON.stringify({ ...defaultSettings, ...trust, ...options.settings }, null, 2));
  }
  const configFile = join(base, 'code-server.yaml');
  writeFileSync(configFile, 'auth: none\n');
  const common = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  const env = { ...process.env, ...options.env, HOME: process.env.HOME ?? base };

  if (options.installVsix !== false) {
    const install = spawnSync(process.execPath, [codeServer, ...common, '--install-extension', vsix], { env, encoding: 'utf8', timeout: 120_000 });
    if (install.status !== 0 || !/successfully installed/i.test(install.stdout + install.stderr)) {
      if (removeOnStop) rmSync(base, { recursive: true, force: true });
      throw new Error(`installing ${vsix} into code-server failed:\n${install.stdout}\n${install.stderr}`);
    }
  }

  const port = options.port ?? await freePort();
  const output: string[] = [];
  const child: ChildProcess = spawn(process.execPath, [
    codeServer, ...common,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    ...(options.untrustedWorkspace ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    options.workspaceFolder,
  ], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const collect = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 2000) output.shift();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  let exited = false;
  // If the test process dies (a killed run, a crash), take the server's process group with it.
  const killGroup = () => { if (!exited && child.pid) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } } };
  const onSignal = (signal: NodeJS.Signals) => { killGroup(); process.exit(signal === 'SIGINT' ? 130 : 143); };
  process.once('exit', killGroup);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  child.on('exit', () => {
    exited = true;
    process.off('exit', killGroup);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  });
  const stop = async () => {
    if (!exited && child.pid) {
      // detached: the server starts its own children (extension host, pty host); kill the group.
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      const deadline = Date.now() + 5_000;
      while (!exited && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      if (!exited) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ } }
    }
    if (removeOnStop) rmSync(base, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`code-server exited during start:\n${output.join('').slice(-3000)}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${url} within ${START_TIMEOUT_MS / 1000} s:\n${output.join('').slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { url, port, userDataDir, log: () => output.join(''), stop };
}
