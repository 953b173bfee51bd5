import { ensureHostBinaries } from '../test/env/hostBinaries';
import { upHostCluster } from '../test/env/hostCluster';
import { ensureVClusterBinaries } from '../test/env/vclusterBinaries';
import { upVCluster } from '../test/env/vclusterFixture';
(async () => {
  const t = Date.now();
  const binaries = await ensureHostBinaries();
  const host = await upHostCluster(binaries, { name: 'exp', log: (l) => console.log('[host]', l) });
  console.log('host', host, (Date.now() - t) / 1000);
  const names = (process.argv[2] ?? 'a').split(',');
  const vb = await ensureVClusterBinaries();
  const vcs = await Promise.all(names.map((name) => upVCluster({ cluster: host, vcluster: vb, name, log: (l) => console.log(`[${name}]`, l) })));
  for (const vc of vcs) console.log(vc.name, vc.podIp, vc.kubeconfig, (Date.now() - t) / 1000);
})().catch((e) => { console.error(e); process.exit(1); });
