// Pinned versions of the real parts the tests and the sandbox run against. One place to change them.
export const versions = {
  // code-server 4.99.4 ships VS Code 1.99.3 and runs on Node 20 (newer releases need Node 22+).
  codeServer: '4.99.4',
  vscode: '1.99.3',
  // What code-server's @vscode/ripgrep postinstall looks for before it tries GitHub.
  vscodeRipgrepCache: 'vscode-ripgrep-cache-1.15.11',
  ripgrepArchive: 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz',

  // The local host cluster (test/env): built from the Go module proxy, cached by these versions.
  // Kubernetes 1.34 is the newest line that Debian's and our etcd 3.6 both serve without the
  // watch-progress features 1.35+ expects; kwok 0.8.0 fakes nodes and pods for it.
  kubernetes: 'v1.34.4',
  // The staging modules (k8s.io/api, client-go, …) that k8s.io/kubernetes pins at v0.0.0.
  kubernetesStaging: 'v0.34.4',
  etcd: 'v3.6.5',
  kwok: 'v0.8.0',

  // A real vCluster (test/env/vclusterBinaries.ts): the CLI, the syncer and the chart come from
  // the same module version; helm runs the chart; kine is the syncer's default backing store.
  vcluster: 'v0.36.1',
  helm: 'v3.19.5',
  kine: 'v0.17.5',
};
