import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCodeServer } from '../scripts/lib/codeServer';
import { Workbench } from '../test/e2e/harness/workbench';

/**
 * Activation time of the packaged extension in a real VS Code (code-server), as VS Code itself
 * measures it: the "Show Running Extensions" editor's activation figure for vCluster, which
 * covers loading the bundle and running activate(). One fresh server per sample.
 */
const SETTLE_MS = 3_000;

export async function measureActivation(samples: number): Promise<{ vscodeMs: number[]; selfMs: number[] }> {
  const vscodeMs: number[] = [];
  const selfMs: number[] = [];
  for (let index = 0; index < samples; index++) {
    const scratch = mkdtempSync(join(tmpdir(), 'vcluster-bench-'));
    const workspace = join(scratch, 'workspace');
    mkdirSync(workspace);
    const server = await startCodeServer({ workspaceFolder: workspace, env: { KUBECONFIG: join(scratch, 'none') } });
    let workbench: Workbench | undefined;
    try {
      workbench = await Workbench.open(server.url, workspace);
      // Let the workbench and the built-in extensions finish starting, as they have by the time
      // a person clicks the vCluster icon; on 2 cores they otherwise compete with our activation.
      await workbench.page.waitForTimeout(SETTLE_MS);
      await workbench.openViewContainer('vCluster');
      await workbench.welcomeText('Clusters');
      await workbench.runCommand('Developer: Show Running Extensions');
      const row = workbench.page.locator('.runtime-extensions-editor .monaco-list-row').filter({ hasText: 'vCluster' }).first();
      await row.waitFor();
      const text = await row.innerText();
      const match = /(\d+)\s*ms/.exec(text);
      if (!match) throw new Error(`no activation time in the Running Extensions row: ${JSON.stringify(text)}`);
      vscodeMs.push(Number(match[1]));
      await workbench.runCommand('vCluster: Show Output Log');
      const output = workbench.page.locator('.output-view .view-lines');
      await output.filter({ hasText: 'activated in' }).first().waitFor();
      const log = (await output.first().innerText()).replace(/\u00a0/g, ' ').replace(/\s+/g, ' ');
      const self = /activated in ([\d.]+) ms/.exec(log);
      if (self) selfMs.push(Number(self[1]));
      const line = /activated in .*?activate\(\) [\d.]+ ms\)/.exec(log);
      if (line) console.log(`[bench] sample ${index + 1}: VS Code ${match[1]} ms; extension log: ${line[0]}`);
      if (index === 0) await workbench.screenshot('bench-running-extensions');
    } finally {
      await workbench?.close();
      await server.stop();
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  return { vscodeMs, selfMs };
}
