import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goBinaryName, wrapperGoMod } from '../env/goBuild';
import { kubernetesWrapperGoMod } from '../env/hostBinaries';

// An excerpt in the shape of k8s.io/kubernetes' go.mod: staging modules at v0.0.0, plus ordinary
// requirements that must not be touched.
const kubernetesGoMod = `module k8s.io/kubernetes

go 1.24.0

require (
	github.com/spf13/cobra v1.9.1
	k8s.io/api v0.0.0
	k8s.io/apiextensions-apiserver v0.0.0
	k8s.io/client-go v0.0.0
	k8s.io/klog/v2 v2.130.1
	k8s.io/kube-openapi v0.0.0-20250710124328-f3f2b991d03b
)

require (
	k8s.io/cri-client v0.0.0 // indirect
)

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/client-go => ./staging/src/k8s.io/client-go
)
`;

describe('kubernetesWrapperGoMod', () => {
  const goMod = kubernetesWrapperGoMod(kubernetesGoMod, 'v1.34.4', 'v0.34.4');

  it('replaces each staging module pinned at v0.0.0 with its published version', () => {
    assert.match(goMod, /^\tk8s\.io\/api => k8s\.io\/api v0\.34\.4$/m);
    assert.match(goMod, /^\tk8s\.io\/apiextensions-apiserver => k8s\.io\/apiextensions-apiserver v0\.34\.4$/m);
    assert.match(goMod, /^\tk8s\.io\/client-go => k8s\.io\/client-go v0\.34\.4$/m);
  });

  it('leaves versioned requirements alone, and does not copy local folder replaces', () => {
    assert.doesNotMatch(goMod, /klog|kube-openapi|cobra|staging\/src/);
  });

  it('also replaces staging modules required as "// indirect"', () => {
    assert.match(goMod, /^\tk8s\.io\/cri-client => k8s\.io\/cri-client v0\.34\.4$/m);
  });

  it('requires the pinned Kubernetes and lists the four programs as tools', () => {
    assert.match(goMod, /^require \(\n\tk8s\.io\/kubernetes v1\.34\.4\n\)$/m);
    for (const program of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl']) {
      assert.match(goMod, new RegExp(`^\\tk8s\\.io/kubernetes/cmd/${program}$`, 'm'));
    }
  });
});

describe('goBinaryName', () => {
  it('names a binary after the package folder, skipping a major-version suffix, as go build does', () => {
    assert.equal(goBinaryName('k8s.io/kubernetes/cmd/kube-apiserver'), 'kube-apiserver');
    assert.equal(goBinaryName('go.etcd.io/etcd/server/v3'), 'server');
    assert.equal(goBinaryName('github.com/k3s-io/kine'), 'kine');
  });
});

describe('wrapperGoMod', () => {
  it('requires the modules and lists the programs as tools, with extra directives between', () => {
    const goMod = wrapperGoMod('x-build', [['helm.sh/helm/v3', 'v3.19.5']], ['helm.sh/helm/v3/cmd/helm'], ['// extra', '']);
    assert.equal(goMod, [
      'module vcluster-vscode.local/x-build', '', 'go 1.24', '',
      'require (', '\thelm.sh/helm/v3 v3.19.5', ')', '',
      '// extra', '',
      'tool (', '\thelm.sh/helm/v3/cmd/helm', ')', '',
    ].join('\n'));
  });
});
