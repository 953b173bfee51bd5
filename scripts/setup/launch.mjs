// Runs a TypeScript entry point after the set-up it needs, in this process, as
// `node --import tsx SCRIPT ARGS…` would: `npm start`, `npm run cluster:*` and `npm run bench` go
// through here, so that a fresh clone needs nothing typed first.
//
//   node scripts/setup/launch.mjs PURPOSE SCRIPT.ts [ARGS…]     (PURPOSE: a key of PURPOSES)
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { ensureSetupOrExit } from './index.mjs';

const [purpose, script, ...args] = process.argv.slice(2);
if (!purpose || !script) {
  process.stderr.write('usage: node scripts/setup/launch.mjs PURPOSE SCRIPT.ts [ARGS…]\n');
  process.exit(2);
}
// `npm start -- --context NAME` (or --kubeconfig FILE) uses a cluster of the user's: no local host
// cluster, so nothing needs building from Go modules.
const remote = purpose === 'start' && args.some((arg) => /^--(context|kubeconfig)(=|$)/.test(arg));
await ensureSetupOrExit(remote ? 'startRemote' : purpose);
// tsx is there now (the set-up installed it): both of its hooks, as `--import tsx` registers them.
const { register } = await import('tsx/esm/api');
register();
createRequire(import.meta.url)('tsx/cjs/api').register();
process.argv = [process.argv[0], resolve(script), ...args];
await import(resolve(script));
