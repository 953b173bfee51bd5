// `npm start`: the extension in a real VS Code (code-server) in your browser.
// Builds and packages the extension, installs it into code-server (from the cache, installed on
// first use), starts it on 127.0.0.1 and prints the URL. Ctrl+C stops everything.
//
//   npm start                          the extension sees your KUBECONFIG (or ~/.kube/config)
//   npm start -- --kubeconfig FILE     use this kubeconfig instead
//   npm start -- --port 8080 --folder DIR
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
// @ts-expect-error -- plain .mjs module without type declarations
import { cacheDir } from './lib/cache.mjs';
import { startCodeServer } from './lib/codeServer';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      port: { type: 'string' },
      folder: { type: 'string' },
    },
  });
  const state = cacheDir('sandbox') as string;
  const folder = resolve(values.folder ?? join(state, 'workspace'));
  mkdirSync(folder, { recursive: true });
  const env: NodeJS.ProcessEnv = {};
  if (values.kubeconfig) {
    const kubeconfig = resolve(values.kubeconfig);
    if (!existsSync(kubeconfig)) throw new Error(`--kubeconfig ${kubeconfig}: no such file`);
    env.KUBECONFIG = kubeconfig;
  }
  const port = values.port ? Number(values.port) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`--port ${values.port}: not a port number`);

  console.log('[start] building, packaging and starting code-server …');
  const server = await startCodeServer({ workspaceFolder: folder, stateDir: state, env, ...(port ? { port } : {}) });
  const url = `${server.url}/?folder=${encodeURIComponent(folder)}`;
  console.log(`\nvCluster extension running in VS Code (code-server) at:\n\n  ${url}\n`);
  console.log(`KUBECONFIG for the extension: ${env.KUBECONFIG ?? process.env.KUBECONFIG ?? '~/.kube/config'}`);
  console.log('Open the vCluster icon in the activity bar. Press Ctrl+C to stop.');
  const stop = async () => {
    console.log('\n[start] stopping code-server …');
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  // Keep the process alive while the server runs.
  await new Promise(() => undefined);
}

main().catch((error: Error) => {
  console.error(`[start] ${error.message}`);
  process.exit(1);
});
