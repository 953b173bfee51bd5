import { writeSync } from 'node:fs';
import { writeWorkspaceKubeconfig } from '../../../src/kube/workspaceKubeconfigFile';
import { aWriterDocument } from '../builders/kubeconfig';

/**
 * A process for workspaceKubeconfig.test.ts to kill with SIGKILL at a random moment: it writes
 * aWriterDocument(seed, 0), (seed, 1), … to the target until it dies.
 * Usage: node --import tsx workspaceKubeconfigWriter.ts TARGET SEED
 */
async function main(): Promise<void> {
  const [target, seed] = process.argv.slice(2);
  if (!target || !seed) throw new Error('usage: workspaceKubeconfigWriter.ts TARGET SEED');
  // Synchronous, so the test knows the start-up (which takes most of the time) is over.
  writeSync(1, 'writing\n');
  for (let index = 0; ; index++) await writeWorkspaceKubeconfig(target, aWriterDocument(Number(seed), index));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
