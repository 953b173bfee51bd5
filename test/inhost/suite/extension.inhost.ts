import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { VClusterExtensionApi } from '../../../src/extension';
import type { ToolStatus } from '../../../src/process/tools';

// Runs inside VS Code's extension host: the real vscode API, the real extension.
describe('vCluster extension in the extension host', () => {
  let api: VClusterExtensionApi;

  before(async () => {
    const extension = vscode.extensions.all.find((candidate) => candidate.packageJSON.name === 'vcluster-vscode');
    assert.ok(extension, 'the extension is installed');
    api = await extension.activate() as VClusterExtensionApi;
  });

  it('activates and reports its activation time', () => {
    assert.ok(api.activationMs > 0 && api.activationMs < 10_000, `activationMs = ${api.activationMs}`);
  });

  it('registers every command it contributes', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const extension = vscode.extensions.all.find((candidate) => candidate.packageJSON.name === 'vcluster-vscode')!;
    const contributed = (extension.packageJSON.contributes.commands as Array<{ command: string }>).map((entry) => entry.command);
    assert.ok(contributed.length >= 5);
    for (const command of contributed) assert.ok(registered.has(command), `${command} is registered`);
  });

  it('checks installed tools through the real command', async () => {
    const statuses = await vscode.commands.executeCommand<ToolStatus[]>('vcluster.checkTools');
    assert.deepEqual(statuses.map((status) => status.name), ['vcluster', 'helm', 'kubectl', 'kind']);
    for (const status of statuses) assert.ok(status.version || status.problem, `${status.name} has a version or a problem`);
  });
});
