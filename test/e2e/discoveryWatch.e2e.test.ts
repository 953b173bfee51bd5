import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { testHost, waitFor } from '../integration/support/host';
import { ensureVClusterBinaries } from '../env/vclusterBinaries';
import { vclusterCli, type VClusterCli } from '../env/vclusterFixture';
import { noteTestResult } from './harness/extensionLog';
import { openVClusterWorkbench, type VClusterWorkbench } from './harness/vclusterWorkbench';
import type { Workbench } from './harness/workbench';

/** The goal: a pause typed in a terminal shows in the tree within 1 s. */
const PAUSE_SHOWN_GOAL_MS = 1_000;
/** How often the test reads the tree's DOM while timing (its own share of the figure). */
const READ_EVERY_MS = 20;

/**
 * Discovery by watch, seen in a real VS Code: a vCluster made by the real CLI and chart on the
 * real host (its syncer run by the node agent), the view open, and the real `vcluster pause` and
 * `vcluster resume` run outside VS Code, as in a terminal. The tree follows each without a
 * refresh; the time from the CLI returning to the row's new status is measured and printed.
 */
describe('the tree follows the real vcluster CLI', () => {
  const name = 'watched';
  const namespace = `vcluster-watched-${process.pid}`;
  const view = 'Clusters';
  let session: VClusterWorkbench | undefined;
  let workbench: Workbench | undefined;
  let cli: VClusterCli | undefined;

  before(async () => {
    session = await openVClusterWorkbench({ name, namespace, screenshotPrefix: 'discovery-watch' });
    workbench = session.workbench;
    cli = vclusterCli(await ensureVClusterBinaries(), testHost().kubeconfig);
  });

  afterEach(noteTestResult);

  after(async () => {
    cli?.dispose();
    await session?.close();
  });

  /** The row's description once it matches, read every READ_EVERY_MS; the bound fails loudly. */
  async function rowMatching(pattern: RegExp, timeoutMs: number): Promise<string> {
    const wb = workbench!;
    return waitFor(`the tree row ${name} matching ${pattern}`, timeoutMs, async () => {
      const row = (await wb.treeRows(view)).find((candidate) => candidate.label === name);
      return row && pattern.test(row.description) ? row.description : undefined;
    }, READ_EVERY_MS);
  }

  it('shows the vCluster Running with the view open', async () => {
    await workbench!.openViewContainer('vCluster');
    assert.match(await rowMatching(/^Running · /, 120_000), new RegExp(`^Running · ${namespace}`));
  });

  it(`shows Paused within ${PAUSE_SHOWN_GOAL_MS} ms of \`vcluster pause\` returning, with no refresh`, async () => {
    const started = performance.now();
    const paused = await cli!.run(['pause', name, '--namespace', namespace], 120_000);
    const returned = performance.now();
    assert.equal(paused.exitCode, 0, `vcluster pause failed:\n${paused.stderr}`);
    await rowMatching(/^Paused · /, 30_000);
    const shownMs = performance.now() - returned;
    // The CLI annotates the workload before it deletes the pods and returns: the tree may know first.
    console.log(`[discovery watch e2e] vcluster pause returned → tree shows Paused: ${shownMs.toFixed(0)} ms (the CLI ran ${(returned - started).toFixed(0)} ms; tree read every ${READ_EVERY_MS} ms)`);
    await workbench!.screenshot('discovery-watch-paused');
    assert.ok(shownMs <= PAUSE_SHOWN_GOAL_MS, `Paused showed ${shownMs.toFixed(0)} ms after the CLI returned; the goal is ${PAUSE_SHOWN_GOAL_MS} ms`);
  });

  it('shows Running again after `vcluster resume`, following the pod as it starts', async () => {
    const resumed = await cli!.run(['resume', name, '--namespace', namespace], 120_000);
    const returned = performance.now();
    assert.equal(resumed.exitCode, 0, `vcluster resume failed:\n${resumed.stderr}`);
    // The first status after resume is the workload's own (no pod yet, or Pending): not Paused.
    await rowMatching(/^(?!Paused)/, 5_000);
    const leftPausedMs = performance.now() - returned;
    await rowMatching(/^Running · /, 120_000);
    console.log(`[discovery watch e2e] vcluster resume returned → tree leaves Paused: ${leftPausedMs.toFixed(0)} ms; → Running: ${(performance.now() - returned).toFixed(0)} ms (the pod starting included)`);
    await workbench!.screenshot('discovery-watch-resumed');
  });
});
