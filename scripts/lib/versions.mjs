// Pinned versions of the real parts the tests and the sandbox run against. One place to change them.
export const versions = {
  // code-server 4.99.4 ships VS Code 1.99.3 and runs on Node 20 (newer releases need Node 22+).
  codeServer: '4.99.4',
  vscode: '1.99.3',
  // What code-server's @vscode/ripgrep postinstall looks for before it tries GitHub.
  vscodeRipgrepCache: 'vscode-ripgrep-cache-1.15.11',
  ripgrepArchive: 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz',

  // Every Go binary below is built by ONE wrapper module (test/env/localBinaries.ts), so Go's
  // minimal version selection gives all of them one version of each shared library and each package
  // compiles once. The versions are chosen to agree: vcluster v0.36.1 is built against
  // k8s.io/kubernetes v1.36 and etcd v3.6.8, kwok v0.8.0 against k8s.io v0.36.1, helm v3.21.4
  // against k8s.io v0.36.2, kine v0.16.4 against etcd v3.6.13 and k8s.io v0.35.4. Kine must have
  // its pure-Go SQLite driver (v0.16+; before, a build without cgo has no SQLite, which is the
  // syncer's default store); v0.16.5+ needs a module the proxy refuses (t4 v1.0.6), v0.17 needs
  // k8s.io v0.37. Change one and check the others' go.mod.
  //
  // The local host cluster: Kubernetes (its staging modules, k8s.io/api, client-go…, which
  // k8s.io/kubernetes pins at v0.0.0, at the matching v0.x), etcd, and kwok faking nodes and pods.
  // The vCluster's own control plane runs these same kube-apiserver and controller-manager: v1.36
  // is the chart's default (controlPlane.distro.k8s image v1.36.0).
  kubernetes: 'v1.36.3',
  kubernetesStaging: 'v0.36.3',
  etcd: 'v3.6.13',
  kwok: 'v0.8.0',

  // A real vCluster (test/env/vclusterBinaries.ts): the CLI, the syncer and the chart come from
  // the same module version; helm runs the chart; kine is the syncer's default backing store.
  vcluster: 'v0.36.1',
  helm: 'v3.21.4',
  kine: 'v0.16.4',

  // The oldest Go that builds all of the above (vcluster v0.36.1's go.mod says go 1.26.3). The
  // machine's Go is used as it is (GOTOOLCHAIN=local): offline, Go cannot fetch another.
  goMinimum: '1.26.3',
};
