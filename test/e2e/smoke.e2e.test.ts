import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { TempDir } from '../unit/builders/kubeconfig';
import { freePort, startCodeServer, type RunningCodeServer } from '../../scripts/lib/codeServer';
import { Workbench } from './harness/workbench';
import { dumpExtensionLog, noteTestResult } from './harness/extensionLog';

/**
 * Smoke test in a real VS Code (code-server 4.99.4 = VS Code 1.99.3) with the packaged .vsix:
 * the vCluster container appears, its welcome view renders, palette commands run, and the tree
 * follows the kubeconfig file the user chooses, whose hosts are unreachable.
 */
describe('smoke: the extension in a real VS Code', () => {
  const dir = new TempDir();
  let server: RunningCodeServer | undefined;
  let workbench: Workbench | undefined;
  const view = 'Clusters';

  before(async () => {
    const workspace = join(dir.path, 'workspace');
    mkdirSync(workspace);
    server = await startCodeServer({
      workspaceFolder: workspace,
      // No kubeconfig anywhere: KUBECONFIG names a file that does not exist.
      env: { KUBECONFIG: join(dir.path, 'no-such-kubeconfig'), PATH: '/usr/bin:/bin' },
    });
    workbench = await Workbench.open(server.url, workspace);
  });

  afterEach(noteTestResult);

  after(async () => {
    if (workbench) {
      await workbench.screenshot('smoke-final').catch(() => undefined);
      await workbench.close();
    }
    dumpExtensionLog(server, 80);
    await server?.stop();
    dir.remove();
  });

  it('shows the vCluster container with the no-kubeconfig welcome', async () => {
    const wb = workbench!;
    await wb.openViewContainer('vCluster');
    const text = await wb.welcomeText(view);
    assert.match(text, /No kubeconfig found/);
    const buttons = await wb.welcomeButtons(view);
    assert.deepEqual(buttons, ['Choose Kubeconfig File', 'Check Installed Tools', 'Create kind Cluster']);
    await wb.screenshot('smoke-welcome-no-kubeconfig');
  });

  it('runs a palette command and shows its result', async () => {
    const wb = workbench!;
    await wb.runCommand('vCluster: Check Installed Tools');
    // PATH is /usr/bin:/bin here, where neither the vcluster CLI nor kind is installed.
    const message = await wb.waitForNotification(/^Tools: /);
    assert.match(message, /vcluster \(not found on PATH\)/);
    assert.match(message, /kind \(not found on PATH\)/);
    assert.match(message, /helm .* · kubectl /);
    await wb.screenshot('smoke-check-tools');
  });

  it('hides item-only commands from the palette', async () => {
    const wb = workbench!;
    assert.equal(await wb.paletteOffers('vCluster: Copy Context Name'), false);
    assert.equal(await wb.paletteOffers('vCluster: Refresh'), true);
  });

  it('uses the kubeconfig the user chooses and shows unreachable hosts without blocking', async () => {
    const wb = workbench!;
    const closedPort = await freePort();
    const kubeconfig = dir.write('kubeconfig', {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'offline', cluster: { server: `https://127.0.0.1:${closedPort}`, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'offline', user: { token: 'not-a-secret' } }],
      contexts: [
        { name: 'offline-host', context: { cluster: 'offline', user: 'offline' } },
        { name: 'dangling-host', context: { cluster: 'deleted-cluster', user: 'offline' } },
      ],
      'current-context': 'offline-host',
    });
    const before = readFileSync(kubeconfig);
    // The real "Choose Kubeconfig File" command: in the web workbench its open dialog is VS Code's
    // simple file dialog, a quick input that takes a path.
    await wb.runCommand('vCluster: Choose Kubeconfig File…');
    await wb.answerFileDialog(kubeconfig, 'Use for vCluster');

    const rows = await wb.waitForTreeRow(view, 'dangling-host');
    const deadline = Date.now() + 20_000;
    let offline = rows.find((row) => row.label === 'offline-host');
    while (!offline?.description.includes('unreachable') && Date.now() < deadline) {
      await wb.page.waitForTimeout(250);
      offline = (await wb.treeRows(view)).find((row) => row.label === 'offline-host');
    }
    assert.equal(offline?.description, 'current · unreachable');
    const dangling = (await wb.treeRows(view)).find((row) => row.label === 'dangling-host');
    assert.match(dangling?.description ?? '', /cluster "deleted-cluster", which no kubeconfig file defines/);
    await wb.screenshot('smoke-unreachable-hosts');
    assert.deepEqual(readFileSync(kubeconfig), before, 'the extension must never write the user\'s kubeconfig');
  });

  it('refreshes by itself when the kubeconfig changes on disk', async () => {
    const wb = workbench!;
    // What `kind create cluster` or `kubectl config set-context` would do: add a context.
    const file = join(dir.path, 'kubeconfig');
    const config = parse(readFileSync(file, 'utf8')) as { contexts: unknown[] };
    config.contexts.push({ name: 'added-later', context: { cluster: 'offline', user: 'offline' } });
    writeFileSync(`${file}.tmp`, stringify(config));
    renameSync(`${file}.tmp`, file);
    let rows = await wb.waitForTreeRow(view, 'added-later', 20_000);
    // The new row can be drawn before the tree has redrawn its siblings: wait, bounded, for all three.
    const expected = ['added-later', 'dangling-host', 'offline-host'];
    const deadline = Date.now() + 10_000;
    while (rows.map((row) => row.label).sort().join() !== expected.join() && Date.now() < deadline) {
      await wb.page.waitForTimeout(100);
      rows = await wb.treeRows(view);
    }
    assert.deepEqual(rows.map((row) => row.label).sort(), expected);
    await wb.screenshot('smoke-kubeconfig-changed');
  });
});
