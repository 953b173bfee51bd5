import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startCodeServer, type RunningCodeServer } from '../../scripts/lib/codeServer';
import { loadKubeconfig } from '../../src/kube/kubeconfig';
import { cachedHostBinaries } from '../env/hostBinaries';
import { ensureVClusterBinaries } from '../env/vclusterBinaries';
import { upVCluster, type LocalVCluster } from '../env/vclusterFixture';
import { testHost, waitFor } from '../integration/support/host';
import { TempDir } from '../unit/builders/kubeconfig';
import { dumpExtensionLog, extensionLogText, noteTestResult } from './harness/extensionLog';
import { inTerminal } from './harness/terminal';
import { Workbench } from './harness/workbench';

/**
 * Per-workspace contexts in a real VS Code: one code-server, two windows on two folders. Window A
 * uses the host's context, window B a real vCluster (real CLI, chart and syncer; connected through
 * the extension's own port-forward, which kwok routes to the pod's IP, where the node agent runs
 * its syncer). `kubectl config
 * current-context` in each window's terminal prints that window's own context, the virtual
 * cluster answers in B's terminal, B's choice and port-forward come back after a reload, and the
 * user's kubeconfig stays byte for byte what it was.
 */
describe('a cluster context per workspace, two windows', () => {
  const dir = new TempDir();
  const name = 'ws';
  const namespace = `vcluster-ws-${process.pid}`;
  const userKubeconfig = join(dir.path, 'user', 'config');
  // KUBECONFIG lists three files: one that does not exist, the user's, and one the test removes later.
  const missingKubeconfig = join(dir.path, 'nowhere', 'config');
  const scratchKubeconfig = join(dir.path, 'user', 'scratch');
  const folderA = join(dir.path, 'project-a');
  const folderB = join(dir.path, 'project-b');
  let hostContext = '';
  let userKubeconfigBefore = '';
  let vcluster: LocalVCluster | undefined;
  let server: RunningCodeServer | undefined;
  let windowA: Workbench | undefined;
  let windowB: Workbench | undefined;

  before(async () => {
    const cluster = testHost();
    const host = cachedHostBinaries();
    assert.ok(host, 'the tier set-up built the host binaries');
    // The user's kubeconfig: a copy of the host's, so the test can hold it to byte equality.
    mkdirSync(dirname(userKubeconfig), { recursive: true });
    copyFileSync(cluster.kubeconfig, userKubeconfig);
    userKubeconfigBefore = readFileSync(userKubeconfig, 'utf8');
    const loaded = await loadKubeconfig([userKubeconfig]);
    assert.equal(loaded.state, 'ok');
    if (loaded.state !== 'ok') return;
    hostContext = loaded.contexts[0]!.name;
    // A second context to the same host, in a file of its own: "scratch".
    const hostCluster = loaded.document.contexts[0]!.context;
    writeFileSync(scratchKubeconfig, JSON.stringify({
      apiVersion: 'v1', kind: 'Config', clusters: [], users: [],
      contexts: [{ name: 'scratch', context: { cluster: hostCluster.cluster, user: hostCluster.user, namespace: 'kube-system' } }],
    }), { mode: 0o600 });
    // The host's node agent runs its syncer at the pod's IP and tells kwok to forward the pod's
    // ports there: the extension's port-forward runs for real (local port → API server → kwok → pod).
    vcluster = await upVCluster({ cluster, vcluster: await ensureVClusterBinaries(), name, namespace });
    mkdirSync(folderA);
    mkdirSync(folderB);
    server = await startCodeServer({
      workspaceFolder: folderA,
      env: { KUBECONFIG: [missingKubeconfig, userKubeconfig, scratchKubeconfig].join(delimiter), PATH: `${dirname(host.kubectl)}${delimiter}${process.env.PATH ?? ''}` },
      // The DOM renderer keeps the terminal's text in the page (for the screenshots).
      settings: { 'terminal.integrated.gpuAcceleration': 'off' },
    });
    windowA = await Workbench.open(server.url, folderA);
    windowB = await Workbench.open(server.url, folderB);
  });

  afterEach(noteTestResult);

  after(async () => {
    for (const [window, label] of [[windowA, 'a'], [windowB, 'b']] as const) {
      if (!window) continue;
      await window.screenshot(`workspace-final-${label}`).catch(() => undefined);
      await window.close();
    }
    dumpExtensionLog(server, 120);
    await server?.stop();
    await vcluster?.remove();
    const hostConfig = new KubeConfig();
    hostConfig.loadFromFile(testHost().kubeconfig);
    await hostConfig.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace }).catch(() => undefined);
    dir.remove();
  });

  const statusBar = (window: Workbench) => window.page.locator('.statusbar-item[aria-label^="vCluster workspace context"]').first();

  async function chooseContext(window: Workbench, label: string): Promise<void> {
    await window.openViewContainer('vCluster');
    await window.runCommand('vCluster: Choose Workspace Context…');
    await window.answerQuickPick(label, /^Cluster context for this workspace/);
  }

  it('window A uses the host context: its terminal\'s kubectl says so', async () => {
    const window = windowA!;
    await chooseContext(window, hostContext);
    await waitFor('the status bar to show the host context', 30_000, async () => ((await statusBar(window).innerText().catch(() => '')).includes(hostContext) ? true : undefined));
    assert.equal(await inTerminal(window, folderA, 'kubectl config current-context'), hostContext);
    await window.screenshot('workspace-a-host');
    // A switch made in the window's own terminal is a switch of the workspace: the status bar follows.
    assert.match(await inTerminal(window, folderA, 'kubectl config use-context scratch'), /Switched to context "scratch"/);
    await waitFor('the status bar to follow the terminal', 30_000, async () => ((await statusBar(window).innerText().catch(() => '')).includes('scratch') ? true : undefined), 250);
    await inTerminal(window, folderA, `kubectl config use-context ${hostContext}`);
    await waitFor('the status bar back on the host', 30_000, async () => ((await statusBar(window).innerText().catch(() => '')).includes(hostContext) ? true : undefined), 250);
    assert.equal(readFileSync(userKubeconfig, 'utf8'), userKubeconfigBefore, 'kubectl wrote the workspace\'s file, not the user\'s');
  });

  it('window B uses the vCluster (connecting it): its terminal reaches the virtual cluster, window A keeps the host', async () => {
    const window = windowB!;
    await chooseContext(window, name);
    const vclusterContext = `vcluster_${name}_${namespace}_${hostContext}`;
    await waitFor('the status bar to show the vCluster', 60_000, async () => {
      const text = await statusBar(window).innerText().catch(() => '');
      return text.includes(name) && text.includes(hostContext) && !text.includes('warning') ? true : undefined;
    }, 250);
    assert.equal(await inTerminal(window, folderB, 'kubectl config current-context'), vclusterContext);
    const namespaces = await inTerminal(window, folderB, 'kubectl get namespaces -o name');
    assert.match(namespaces, /namespace\/kube-system/);
    assert.doesNotMatch(namespaces, new RegExp(`namespace/${namespace}`), 'the virtual cluster, not the host, answers in B');
    assert.equal(await inTerminal(windowA!, folderA, 'kubectl config current-context'), hostContext, 'window A is unaffected');
    assert.equal(readFileSync(userKubeconfig, 'utf8'), userKubeconfigBefore, 'the user\'s kubeconfig is byte for byte unchanged');
    await window.screenshot('workspace-b-vcluster');
  });

  it('window B gets its choice and a working port-forward back after a reload', async () => {
    const window = windowB!;
    await window.page.reload();
    await window.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await waitFor('the restored status bar', 60_000, async () => ((await statusBar(window).innerText().catch(() => '')).includes(name) ? true : undefined), 250);
    const namespaces = await waitFor('the virtual cluster through the new port-forward', 60_000, async () => {
      const listed = await inTerminal(window, folderB, 'kubectl get namespaces -o name --request-timeout=5s');
      return listed.includes('namespace/kube-system') ? listed : undefined;
    }, 1000);
    assert.doesNotMatch(namespaces, new RegExp(`namespace/${namespace}`));
    assert.equal(readFileSync(userKubeconfig, 'utf8'), userKubeconfigBefore, 'the user\'s kubeconfig is still unchanged');
  });
  it('a context that vanishes turns the status bar to a warning and terminals back to the default; choosing again is the way out', async () => {
    const window = windowA!;
    await chooseContext(window, 'scratch');
    await waitFor('the status bar to show scratch', 30_000, async () => ((await statusBar(window).innerText().catch(() => '')).includes('scratch') ? true : undefined), 250);
    assert.equal(await inTerminal(window, folderA, 'kubectl config current-context'), 'scratch');
    // The user removes the file that defined it (a cluster torn down, a file deleted).
    rmSync(scratchKubeconfig);
    await waitFor('the status bar to warn', 30_000, async () => {
      const tooltip = (await statusBar(window).getAttribute('aria-label').catch(() => '')) ?? '';
      const background = await statusBar(window).evaluate((element) => element.classList.contains('warning-kind') || element.getAttribute('style')?.includes('background') === true).catch(() => false);
      return tooltip.includes('scratch') && background ? true : undefined;
    }, 250);
    assert.equal(await inTerminal(window, folderA, 'kubectl config current-context'), hostContext, 'a new terminal has the default KUBECONFIG again');
    await window.screenshot('workspace-a-vanished');
    await chooseContext(window, hostContext);
    await waitFor('the host context again', 30_000, async () => ((await statusBar(window).innerText().catch(() => '')).includes(hostContext) ? true : undefined), 250);
    assert.equal(await inTerminal(window, folderA, 'kubectl config current-context'), hostContext);
  });

  it('a namespace set with kubectl in the window\'s terminal stays through a reload (its file is rewritten), and only there', async () => {
    const window = windowA!;
    assert.match(await inTerminal(window, folderA, 'kubectl config set-context --current --namespace=kube-system'), /modified/);
    await window.page.reload();
    await window.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await waitFor('the restored status bar', 60_000, async () => ((await statusBar(window).innerText().catch(() => '')).includes(hostContext) ? true : undefined), 250);
    const namespaceOf = "kubectl config view --minify -o jsonpath='{.contexts[0].context.namespace}'";
    assert.equal(await waitFor('the namespace after the rewrite', 60_000, async () => {
      const printed = await inTerminal(window, folderA, namespaceOf);
      return printed === 'kube-system' ? printed : undefined;
    }, 1000), 'kube-system');
    assert.equal(await inTerminal(windowB!, folderB, 'kubectl config current-context'), `vcluster_${name}_${namespace}_${hostContext}`, 'window B is unaffected');
    assert.equal(readFileSync(userKubeconfig, 'utf8'), userKubeconfigBefore, 'set-context wrote the workspace\'s file, not the user\'s');
  });

  it('a damaged workspace kubeconfig is written afresh when the window reopens', async () => {
    const window = windowA!;
    const workspaceFile = await inTerminal(window, folderA, 'echo $KUBECONFIG');
    assert.ok(workspaceFile.startsWith(server!.userDataDir) || existsSync(workspaceFile), `the workspace's own file (${workspaceFile})`);
    assert.notEqual(workspaceFile, userKubeconfig);
    writeFileSync(workspaceFile, 'clusters: [ {{ not yaml');
    await window.page.reload();
    await window.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await waitFor('the restored status bar', 60_000, async () => ((await statusBar(window).innerText().catch(() => '')).includes(hostContext) ? true : undefined), 250);
    const current = await waitFor('kubectl to read the rewritten file', 60_000, async () => {
      const printed = await inTerminal(window, folderA, 'kubectl config current-context');
      return printed === hostContext ? printed : undefined;
    }, 1000);
    assert.equal(current, hostContext);
    assert.match(readFileSync(workspaceFile, 'utf8'), /current-context: "?/);
    assert.equal(readFileSync(userKubeconfig, 'utf8'), userKubeconfigBefore);
  });

  it('a team\'s committed setting is the default of a window whose user has not chosen: applied on open and as soon as it changes; the user\'s choice outranks it', async () => {
    const folderC = join(dir.path, 'project-c');
    const settingsFile = join(folderC, '.vscode', 'settings.json');
    const commit = (value: unknown) => writeFileSync(settingsFile, JSON.stringify(value === undefined ? {} : { 'vcluster.workspace.context': value }, null, 2));
    mkdirSync(dirname(settingsFile), { recursive: true });
    commit({ context: hostContext });
    const window = await Workbench.open(server!.url, folderC);
    try {
      await waitFor('the team\'s context in the status bar', 60_000, async () => ((await statusBar(window).innerText().catch(() => '')).includes(hostContext) ? true : undefined), 250);
      const workspaceFile = await inTerminal(window, folderC, 'echo $KUBECONFIG');
      assert.notEqual(workspaceFile, userKubeconfig);
      assert.ok(existsSync(workspaceFile), `the workspace's own file (${workspaceFile})`);
      // The team moves to the vCluster (a pull, an edit): the window follows without a reload.
      commit({ context: hostContext, vcluster: `${namespace}/${name}` });
      await waitFor('the status bar to follow the setting', 60_000, async () => ((await statusBar(window).innerText().catch(() => '')).includes(name) ? true : undefined), 250);
      assert.equal(await inTerminal(window, folderC, 'kubectl config current-context'), `vcluster_${name}_${namespace}_${hostContext}`);
      // The user chooses for this window: the setting no longer moves it.
      await chooseContext(window, hostContext);
      await waitFor('the user\'s choice in the status bar', 30_000, async () => {
        const text = await statusBar(window).innerText().catch(() => '');
        return text.includes(hostContext) && !text.includes(name) ? true : undefined;
      }, 250);
      const keeps = 'the setting vcluster.workspace.context changed; this window keeps the context its user chose';
      const before = extensionLogText(server!).split(keeps).length;
      commit(undefined);
      await waitFor('the extension to see the setting change', 30_000, async () => (extensionLogText(server!).split(keeps).length > before ? true : undefined), 250);
      assert.ok((await statusBar(window).innerText()).includes(hostContext), 'the user\'s own choice outranks the team\'s setting');
      assert.equal(readFileSync(userKubeconfig, 'utf8'), userKubeconfigBefore);
    } finally {
      await window.screenshot('workspace-c-team-setting').catch(() => undefined);
      await window.close();
    }
  });
});
