// `npm start`: the extension in a real VS Code (code-server) in your browser, against a real host.
// The set-up (scripts/setup, run first by scripts/setup/launch.mjs) has installed and built what a
// fresh clone lacks. Starts (or reuses) the local host cluster — Kubernetes built from Go modules,
// kwok nodes, all on 127.0.0.1 — then builds and packages the extension,
// installs it into code-server, starts that on 127.0.0.1 and prints the URL. Ctrl+C stops what it
// started (a host that was already running is left running).
//
//   npm start                          the sandbox: the local host cluster's context and a real
//                                      vCluster `demo` with sample workloads (CLI, chart, syncer)
//   npm start -- --context NAME        no local host: a context of your own kubeconfig instead
//   npm start -- --kubeconfig FILE     no local host: this kubeconfig file (with --context, its context)
//   npm start -- --vcluster NAME       the sandbox's vCluster is called NAME instead of demo
//   npm start -- --no-demo             the sandbox without a vCluster
//   npm start -- --port 8080 --folder DIR
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadKubeconfig } from '../src/kube/kubeconfig';
import { ensureHostBinaries } from '../test/env/hostBinaries';
import { downHostCluster, killHostClusterNow, upHostCluster, validateClusterName } from '../test/env/hostCluster';
import { ensureVClusterBinaries } from '../test/env/vclusterBinaries';
import { applyDemoWorkloads } from '../test/env/demoWorkloads';
import { nodeAgentUnavailable } from '../test/env/nodeAgent/control';
import { upVCluster } from '../test/env/vclusterFixture';
import { cacheDir } from './lib/cache.mjs';
import { defaultSettings, startCodeServer } from './lib/codeServer';

const SANDBOX_CLUSTER = 'vcluster-vscode';

/** The user's own kubeconfig files, as kubectl would read them. */
function userKubeconfigFiles(explicit: string | undefined): string[] {
  if (explicit) return [resolve(explicit)];
  const fromEnv = process.env.KUBECONFIG?.split(delimiter).filter(Boolean);
  return fromEnv && fromEnv.length > 0 ? fromEnv : [join(homedir(), '.kube', 'config')];
}

/** Checks that the named context exists (read only: the user's files are never written). */
async function assertContextExists(files: string[], context: string): Promise<void> {
  const loaded = await loadKubeconfig(files);
  if (loaded.state === 'invalid') throw new Error(`cannot read your kubeconfig: ${loaded.problem}`);
  if (loaded.state !== 'ok') throw new Error(`--context ${context}: no kubeconfig with contexts in ${files.join(', ')}`);
  if (!loaded.contexts.some((entry) => entry.name === context)) {
    throw new Error(`--context ${context}: no such context in ${files.join(', ')}. Contexts there: ${loaded.contexts.map((entry) => entry.name).join(', ')}`);
  }
}

/**
 * Offline, the chart comes from the built module's folder, and helm installs it (the vcluster CLI
 * would write its settings and telemetry under your HOME). The host's node agent provides volumes
 * and runs the syncer, so the chart's defaults work: no values file is needed. Settings already in
 * the sandbox are kept; only missing keys are added.
 */
function prepareSandboxForLifecycle(state: string, tools: { helm: string; chartDir: string }): void {
  const settingsFile = join(state, 'user-data', 'User', 'settings.json');
  const wanted: Record<string, unknown> = { 'vcluster.provisioner': 'helm', 'vcluster.helmPath': tools.helm, 'vcluster.chart.localDir': tools.chartDir };
  if (existsSync(settingsFile)) {
    const current = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(settingsFile, JSON.stringify({ ...wanted, ...current }, null, 2));
  } else {
    mkdirSync(dirname(settingsFile), { recursive: true });
    writeFileSync(settingsFile, JSON.stringify({ ...defaultSettings, ...wanted }, null, 2));
  }
}

/**
 * The sandbox's folder names the demo vCluster as its workspace context, as a team would commit
 * it: the window connects on open, so expanding the vCluster shows virtual-only and pending
 * objects at once, and its terminals reach the virtual cluster. A folder that already names a
 * context (or has settings we cannot read) is left as it is.
 */
async function useVClusterInWorkspace(folder: string, hostKubeconfig: string, vcluster: { name: string; namespace: string }): Promise<boolean> {
  const loaded = await loadKubeconfig([hostKubeconfig]);
  if (loaded.state !== 'ok' || !loaded.currentContext) return false;
  const settingsFile = join(folder, '.vscode', 'settings.json');
  let settings: Record<string, unknown> = {};
  if (existsSync(settingsFile)) {
    try {
      settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
    } catch {
      return false;
    }
  }
  if (settings['vcluster.workspace.context'] !== undefined) return false;
  settings['vcluster.workspace.context'] = { context: loaded.currentContext, vcluster: `${vcluster.namespace}/${vcluster.name}` };
  mkdirSync(dirname(settingsFile), { recursive: true });
  writeFileSync(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
  return true;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      vcluster: { type: 'string' },
      'no-demo': { type: 'boolean' },
      port: { type: 'string' },
      folder: { type: 'string' },
    },
  });
  const state = cacheDir('sandbox') as string;
  const folder = resolve(values.folder ?? join(state, 'workspace'));
  mkdirSync(folder, { recursive: true });
  const env: NodeJS.ProcessEnv = {};
  const port = values.port ? Number(values.port) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`--port ${values.port}: not a port number`);
  let stopHost: (() => Promise<unknown>) | undefined;
  if (values.kubeconfig || values.context) {
    const files = userKubeconfigFiles(values.kubeconfig);
    if (values.kubeconfig && !existsSync(files[0]!)) throw new Error(`--kubeconfig ${files[0]}: no such file`);
    if (values.context) await assertContextExists(files, values.context);
    env.KUBECONFIG = files.join(delimiter);
    console.log(`[start] using ${values.context ? `context ${values.context} of ` : ''}${env.KUBECONFIG}; no local host cluster`);
  } else {
    console.log('[start] local host cluster …');
    const binaries = await ensureHostBinaries();
    const host = await upHostCluster(binaries, { name: SANDBOX_CLUSTER, log: (line) => console.log(`[start] ${line}`) });
    env.KUBECONFIG = host.kubeconfig;
    if (!host.reused) {
      // Whatever ends this script (Ctrl+C, an error, a crash), the host it started goes with it,
      // its vCluster syncers included.
      stopHost = () => downHostCluster(SANDBOX_CLUSTER, binaries);
      process.once('exit', () => killHostClusterNow(SANDBOX_CLUSTER));
    }
    const demo = values['no-demo'] ? undefined : values.vcluster ?? 'demo';
    if (demo && !host.podCidr) {
      console.log(`[start] no vCluster ${demo}: ${nodeAgentUnavailable() ?? 'the host has no node agent'}`);
    } else if (demo) {
      validateClusterName(demo);
      console.log(`[start] vCluster ${demo}: the real CLI, chart and syncer …`);
      const vcluster = await upVCluster({
        cluster: host, vcluster: await ensureVClusterBinaries(), name: demo,
        log: (line) => console.log(`[start] ${line}`),
      });
      const made = await applyDemoWorkloads(vcluster.kubeconfig);
      console.log(`[start] vCluster ${vcluster.name} runs at ${vcluster.podIp} with sample workloads: ${made.join('; ')}`);
      if (await useVClusterInWorkspace(folder, host.kubeconfig, vcluster)) console.log(`[start] the sandbox window works in vCluster ${vcluster.name} (its terminals too); "vCluster: Choose Workspace Context…" switches`);
      console.log(`[start] VCLUSTER_KUBECONFIG=${vcluster.kubeconfig}`);
    }
    // kubectl of the same version, the vcluster CLI and helm for the extension's terminals and tools.
    const tools = await ensureVClusterBinaries();
    env.PATH = [dirname(binaries.kubectl), dirname(tools.vcluster), dirname(tools.helm), process.env.PATH ?? ''].join(delimiter);
    env.VCLUSTER_SKIP_VERSION_CHECK = 'true';
    prepareSandboxForLifecycle(state, tools);
    console.log(`[start] host cluster ${host.name} at ${host.server}`);
  }

  console.log('[start] building, packaging and starting code-server …');
  let server: Awaited<ReturnType<typeof startCodeServer>>;
  try {
    server = await startCodeServer({ workspaceFolder: folder, stateDir: state, env, ...(port ? { port } : {}) });
  } catch (error) {
    await stopHost?.();
    throw error;
  }
  const url = `${server.url}/?folder=${encodeURIComponent(folder)}`;
  console.log(`\nvCluster extension running in VS Code (code-server) at:\n\n  ${url}\n`);
  console.log(`KUBECONFIG=${env.KUBECONFIG}`);
  console.log('Open the vCluster icon in the activity bar. Press Ctrl+C to stop.');
  const stop = async () => {
    console.log('\n[start] stopping code-server …');
    await server.stop();
    if (stopHost) {
      console.log('[start] stopping the local host cluster …');
      await stopHost();
    }
    // (code-server's own signal handler may exit first; the 'exit' handler above then stops the host.)
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  // Keep the process alive while the server runs: code-server is detached and unreferenced, so
  // without a handle of our own Node would exit here and orphan it.
  setInterval(() => undefined, 1 << 30);
}

main().catch((error: Error) => {
  console.error(`[start] ${error.message}`);
  process.exit(1);
});
