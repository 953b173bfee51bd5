import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as fsPromises from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import { loadKubeconfig } from '../../src/kube/kubeconfig';
import { buildWorkspaceKubeconfig, WorkspaceKubeconfigError } from '../../src/kube/workspaceKubeconfig';
import { readWorkspaceKubeconfig, WorkspaceKubeconfigFile, writeWorkspaceKubeconfig } from '../../src/kube/workspaceKubeconfigFile';
import { seededRandom } from '../env/seededRandom';
import type { AtomicWriteFileSystem } from '../../src/kube/kubeconfigWrite';
import { FAULT_STEPS, faultyFileSystem } from './support/faultyFileSystem';
import { aWriterDocument, randomKubeconfigFiles, TempDir } from './builders/kubeconfig';

type Json = Record<string, unknown>;
const names = (document: Json, list: string) => (document[list] as Json[]).map((entry) => entry.name);
/** Temp files of writeFileAtomically for `target`: `.${name}.${pid}.${hex}.tmp`. */
const temporariesOf = (target: string) => (existsSync(dirname(target)) ? readdirSync(dirname(target)) : [])
  .filter((name) => name.startsWith(`.${basename(target)}.`) && /^\d+\.[0-9a-f]+\.tmp$/.test(name.slice(basename(target).length + 2)));

/*
 * The randomized check, in a file of its own so the unit tier runs it beside the rest:
 * merge-and-write cycles with interrupted writes, and writers killed mid-write.
 */


/** Whatever is wrong with the target now, or undefined: it must be exactly `expected`, a usable kubeconfig, 0600. */
async function problemWith(target: string, expected: Json): Promise<{ kind: 'corrupt' | 'mixed' | 'mode'; detail: string } | undefined> {
  const read = await readWorkspaceKubeconfig(target);
  if (read.state !== 'ok') return { kind: 'corrupt', detail: read.state === 'corrupt' ? read.problem : 'missing' };
  const loaded = await loadKubeconfig([target]);
  const current = loaded.state === 'ok' ? loaded.contexts.find((context) => context.name === loaded.currentContext) : undefined;
  if (!current || current.problem) return { kind: 'corrupt', detail: `kubectl's view: ${loaded.state}, ${current?.problem ?? 'no current context'}` };
  if (!isDeepStrictEqual(read.document, expected)) return { kind: 'mixed', detail: 'not the last document written' };
  if ((statSync(target).mode & 0o777) !== 0o600) return { kind: 'mode', detail: (statSync(target).mode & 0o777).toString(8) };
  return undefined;
}

describe('workspace kubeconfig under interrupted writes', () => {
  const dir = new TempDir();
  after(() => dir.remove());

  it('1,000 random merge-and-write cycles, about 30% interrupted at a random step, leave 0 corrupt files', async (t) => {
    const started = performance.now();
    const random = seededRandom(0x5eed_2024);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const target = dir.file('workspace/vcluster-workspace.kubeconfig');
    // The writer keeps one file system; each cycle decides what that file system does.
    let fileSystem: AtomicWriteFileSystem = fsPromises;
    const writer = new WorkspaceKubeconfigFile(target, {
      mkdir: (path, options) => fileSystem.mkdir(path, options), open: (path, flags, mode) => fileSystem.open(path, flags, mode),
      chmod: (path, mode) => fileSystem.chmod(path, mode), rename: (from, to) => fileSystem.rename(from, to), rm: (path, options) => fileSystem.rm(path, options),
    });
    const counts = { cycles: 0, interrupted: 0, crashed: 0, leftoversRemoved: 0, corrupt: 0, mixed: 0, mode: 0, leftAfterSuccess: 0, mergeProblems: 0 };
    const problems: string[] = [];
    let lastWritten: Json | undefined;
    for (let cycle = 0; cycle < 1000; cycle++) {
      const files = randomKubeconfigFiles(random);
      const document = buildWorkspaceKubeconfig({ ...files, currentContext: pick(files.contextNames) });
      const mergeProblem = checkMerge(document, [...files.sources, ...files.extra]);
      if (mergeProblem) { counts.mergeProblems++; problems.push(`cycle ${cycle}: ${mergeProblem}`); }
      const fault = lastWritten && random() < 0.3 ? { step: pick(FAULT_STEPS), crash: random() < 0.5, writtenFraction: random() } : undefined;
      fileSystem = fault ? faultyFileSystem(fault) : fsPromises;
      const leftoversBefore = temporariesOf(target).length;
      try {
        await writer.write(document);
        if (fault) problems.push(`cycle ${cycle}: a write with a fault at ${fault.step} succeeded`);
        lastWritten = document;
        const left = temporariesOf(target).length;
        if (left > 0) { counts.leftAfterSuccess++; problems.push(`cycle ${cycle}: ${left} temp file(s) left after a successful write`); }
        counts.leftoversRemoved += leftoversBefore;
      } catch (error) {
        if (!fault || !(error instanceof WorkspaceKubeconfigError)) throw error;
        counts.interrupted++;
        if (fault.crash) counts.crashed++;
      }
      counts.cycles++;
      const problem = await problemWith(target, lastWritten as Json);
      if (problem) { counts[problem.kind]++; problems.push(`cycle ${cycle}: ${problem.kind}: ${problem.detail}`); }
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    t.diagnostic(`${counts.cycles} cycles, ${counts.interrupted} interrupted (${counts.crashed} as crashes), ${counts.leftoversRemoved} leftover temp files removed by later writes; corrupt ${counts.corrupt}, mixed ${counts.mixed}, wrong mode ${counts.mode}; ${seconds} s`);
    assert.deepEqual(problems.slice(0, 5), []);
    assert.deepEqual({ corrupt: counts.corrupt, mixed: counts.mixed, mode: counts.mode, leftAfterSuccess: counts.leftAfterSuccess }, { corrupt: 0, mixed: 0, mode: 0, leftAfterSuccess: 0 });
    assert.ok(counts.interrupted > 200 && counts.leftoversRemoved > 0, 'the faults and the clean-up were exercised');
  });

  it('20 writers killed with SIGKILL at a random moment leave a valid file, and the next write removes their temp files', async (t) => {
    const started = performance.now();
    const random = seededRandom(0x0dead);
    const target = dir.file('killed/vcluster-workspace.kubeconfig');
    const script = join(__dirname, 'support', 'workspaceKubeconfigWriter.ts');
    let previous = aWriterDocument(0, 0);
    await writeWorkspaceKubeconfig(target, previous);
    let killedMidWrite = 0;
    for (let cycle = 1; cycle <= 20; cycle++) {
      const child = spawn(process.execPath, ['--import', 'tsx', script, target, String(cycle)], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await new Promise<void>((resolve, reject) => {
        // A writer that never starts must not outlive the test.
        const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('the writer did not start within 30 s')); }, 30_000);
        child.stdout.once('data', () => { clearTimeout(timer); resolve(); });
        child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the writer exited with ${code} before it started`)); });
      });
      await new Promise((resolve) => setTimeout(resolve, random() * 40));
      child.kill('SIGKILL');
      await exited;
      if (temporariesOf(target).length > 0) killedMidWrite++;
      const read = await readWorkspaceKubeconfig(target);
      assert.equal(read.state, 'ok', `after kill ${cycle}: ${read.state === 'corrupt' ? read.problem : read.state}`);
      if (read.state !== 'ok') return;
      const index = (read.document['x-writer'] as { index: number }).index;
      const expected = isDeepStrictEqual(read.document, previous) ? previous : aWriterDocument(cycle, index);
      assert.deepEqual(read.document, expected, `after kill ${cycle}: the file is the one before or one the writer wrote`);
      assert.equal(statSync(target).mode & 0o777, 0o600);
      previous = aWriterDocument(0, cycle);
      await writeWorkspaceKubeconfig(target, previous);
      assert.deepEqual(temporariesOf(target), [], "the dead writer's temp files are removed");
    }
    t.diagnostic(`20 writers killed, ${killedMidWrite} of them in the middle of a write (temp file left); 0 corrupt; ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
});

/** The merge's promises, checked against the files: one entry per name, each the first file's, paths absolute. */
function checkMerge(document: Json, files: ReadonlyArray<{ path: string; text: string }>): string | undefined {
  const parsed = files.map(({ text }) => (parse(text, { version: '1.1' }) as Json | null) ?? {});
  const definitions = (list: string) => parsed.flatMap((config) => (config[list] as Json[] | undefined) ?? []);
  for (const list of ['clusters', 'users', 'contexts']) {
    const merged = names(document, list);
    const defined = [...new Set(definitions(list).map((item) => item.name))];
    if (!isDeepStrictEqual(merged, defined)) return `${list}: ${merged.join()} instead of ${defined.join()}`;
  }
  const contexts = definitions('contexts');
  for (const context of document.contexts as Json[]) {
    if (!isDeepStrictEqual(context, contexts.find((item) => item.name === context.name))) return `context ${String(context.name)} is not the first file's`;
  }
  const paths = [...(document.clusters as Json[]).map((item) => [(item.cluster as Json)['certificate-authority']]),
    ...(document.users as Json[]).map((item) => ['client-certificate', 'client-key', 'tokenFile'].map((field) => (item.user as Json)[field]))].flat();
  const relative = paths.find((path) => typeof path === 'string' && !isAbsolute(path));
  return relative === undefined ? undefined : `relative path ${String(relative)} left`;
}
