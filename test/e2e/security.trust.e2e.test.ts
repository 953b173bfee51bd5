import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { TempDir } from '../unit/builders/kubeconfig';
import { startCodeServer, type RunningCodeServer } from '../../scripts/lib/codeServer';
import { Workbench } from './harness/workbench';
import { dumpExtensionLog, extensionLogText, noteTestResult } from './harness/extensionLog';
import { waitFor } from '../integration/support/host';

/**
 * A hostile repository in a real VS Code (code-server, VS Code 1.99.3, workspace trust on): its
 * .vscode/settings.json points vcluster.kubeconfig at a kubeconfig of its own whose user runs an
 * exec plugin, names that context as the team's vcluster.workspace.context, and sets
 * vcluster.kubectlPath to a program of its own. Opened untrusted, none of it applies and nothing
 * runs. The same folder trusted (the harness's default, trust off) is the control: the plugin runs
 * then, which shows it is the restriction that stopped it; the program path still does not apply.
 */
describe('security: a repository the user has not trusted chooses nothing', () => {
  const dir = new TempDir();
  const folder = join(dir.path, 'hostile-repo');
  const markers = { plugin: join(dir.path, 'plugin-ran'), kubectl: join(dir.path, 'kubectl-ran') };
  let server: RunningCodeServer | undefined;
  let window: Workbench | undefined;

  mkdirSync(join(folder, '.vscode'), { recursive: true });
  const plugin = join(folder, '.vscode', 'credential-plugin.sh');
  writeFileSync(plugin, `#!/bin/sh\ntouch '${markers.plugin}'\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t"}}'\n`);
  const fakeKubectl = join(folder, '.vscode', 'kubectl');
  writeFileSync(fakeKubectl, `#!/bin/sh\ntouch '${markers.kubectl}'\necho 'Client Version: v1.36.3'\n`);
  chmodSync(plugin, 0o755);
  chmodSync(fakeKubectl, 0o755);
  writeFileSync(join(folder, '.vscode', 'team.kubeconfig'), stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'team-cluster',
    // A closed port: discovery asks for credentials (the plugin) before it connects.
    clusters: [{ name: 'team-cluster', cluster: { server: 'https://127.0.0.1:9', 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'team-user', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } } }],
    contexts: [{ name: 'team-cluster', context: { cluster: 'team-cluster', user: 'team-user' } }],
  }));
  writeFileSync(join(folder, '.vscode', 'settings.json'), JSON.stringify({
    'vcluster.kubeconfig': [join(folder, '.vscode', 'team.kubeconfig')],
    'vcluster.workspace.context': { context: 'team-cluster' },
    'vcluster.kubectlPath': fakeKubectl,
  }, null, 2));

  const statusBar = (workbench: Workbench) => workbench.page.locator('.statusbar-item[aria-label^="vCluster workspace context"]').first();

  async function open(untrusted: boolean): Promise<Workbench> {
    server = await startCodeServer({
      workspaceFolder: folder,
      untrustedWorkspace: untrusted,
      // No kubeconfig of the user's own: what the tree shows comes from the settings or nowhere.
      env: { KUBECONFIG: join(dir.path, 'no-such-kubeconfig') },
    });
    window = await Workbench.open(server.url, folder);
    await window.openViewContainer('vCluster');
    return window;
  }

  async function close(name: string): Promise<void> {
    if (!server) return;
    await window?.screenshot(name).catch(() => undefined);
    await window?.close();
    window = undefined;
    dumpExtensionLog(server, 40);
    await server?.stop();
    server = undefined;
  }

  afterEach(noteTestResult);
  // Each test opens its own server; one that failed midway is closed here, before the next opens.
  afterEach(() => close('security-trust-after-test'));
  after(() => dir.remove());

  it('untrusted: the repository\'s kubeconfig, context and program are ignored; no plugin or program runs', async () => {
    const workbench = await open(true);
    const log = () => extensionLogText(server!);
    await waitFor('the extension to say the workspace is not trusted', 60_000, async () => (/this workspace is not trusted: its settings that choose programs/.test(log()) ? true : undefined), 250);
    // The tree uses no kubeconfig at all (the user has none); the repository's is not read.
    assert.match(await workbench.welcomeText('Clusters'), /No kubeconfig found/);
    assert.match(await statusBar(workbench).innerText(), /No workspace context/);
    await workbench.runCommand('vCluster: Check Installed Tools');
    await workbench.waitForNotification(/^Tools: /);
    // Discovery and the tools check have answered; for 3 s more, neither program may appear
    // (checked every 100 ms, so one that does fails at once, not after a sleep).
    const watchUntil = Date.now() + 3_000;
    while (Date.now() < watchUntil) {
      assert.equal(existsSync(markers.plugin), false, 'the repository\'s credential plugin did not run');
      assert.equal(existsSync(markers.kubectl), false, 'the repository\'s kubectl did not run');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await close('security-trust-untrusted');
  });

  it('control, the same folder trusted: its kubeconfig and context apply (the plugin runs, as the user allowed), its program path still does not', async () => {
    const workbench = await open(false);
    await waitFor('the team\'s context in the status bar', 60_000, async () => ((await statusBar(workbench).innerText().catch(() => '')).includes('team-cluster') ? true : undefined), 250);
    await waitFor('the credential plugin of the trusted repository to run', 60_000, async () => (existsSync(markers.plugin) ? true : undefined), 250);
    await workbench.runCommand('vCluster: Check Installed Tools');
    await workbench.waitForNotification(/^Tools: /);
    assert.equal(existsSync(markers.kubectl), false, 'vcluster.kubectlPath is a user setting only');
    await close('security-trust-trusted');
  });
});
