// One of the processes of the connections-file race (test/unit/faults.connectionsFile.test.ts):
// adds COUNT contexts named PREFIX-i to the file, then removes every odd one, as fast as it can.
import { ConnectionsKubeconfig } from '../../../src/vcluster/connect/connectionsKubeconfig';
import { loadKubeconfigFormat } from '../builders/kubeconfig';

const [path, prefix, count] = process.argv.slice(2) as [string, string, string];
const file = new ConnectionsKubeconfig(path, loadKubeconfigFormat);
const names = Array.from({ length: Number(count) }, (_, index) => `${prefix}-${index}`);
const entry = (name: string) => ({
  clusters: [{ name, cluster: { server: 'https://127.0.0.1:1' } }],
  users: [{ name, user: { token: name } }],
  contexts: [{ name, context: { cluster: name, user: name } }],
});
async function main(): Promise<void> {
  for (const name of names) await file.upsert(entry(name));
  for (const [index, name] of names.entries()) if (index % 2 === 1) await file.remove(name);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
