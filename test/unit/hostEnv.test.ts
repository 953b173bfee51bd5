import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goBinaryName, wrapperGoMod } from '../env/goBuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_MODULE_DIR, localLdflags } from '../../scripts/lib/localBuild.mjs';
import { versions } from '../../scripts/lib/versions.mjs';
import { LOCAL_PROGRAMS, localModules, localWrapperGoMod, stagingReplaces } from '../env/localBinaries';

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

describe('the local binaries\' wrapper module', () => {
  const goMod = localWrapperGoMod(kubernetesGoMod);

  it('replaces each staging module pinned at v0.0.0 with its published version', () => {
    assert.deepEqual(stagingReplaces(kubernetesGoMod, 'v0.36.3'), [
      '\tk8s.io/api => k8s.io/api v0.36.3',
      '\tk8s.io/apiextensions-apiserver => k8s.io/apiextensions-apiserver v0.36.3',
      '\tk8s.io/client-go => k8s.io/client-go v0.36.3',
      // Required as "// indirect" too.
      '\tk8s.io/cri-client => k8s.io/cri-client v0.36.3',
    ]);
    assert.match(goMod, new RegExp(`^\\tk8s\\.io/client-go => k8s\\.io/client-go ${versions.kubernetesStaging.replace(/\./g, '\\.')}$`, 'm'));
  });

  it('leaves versioned requirements alone, and does not copy local folder replaces', () => {
    assert.doesNotMatch(goMod, /klog|kube-openapi|cobra|staging\/src/);
  });

  it('requires every pinned module once and lists every program as a tool', () => {
    for (const [module, version] of localModules()) {
      assert.match(goMod, new RegExp(`^\\t${module.replace(/\./g, '\\.')} ${version.replace(/\./g, '\\.')}$`, 'm'));
    }
    assert.deepEqual(localModules().map(([module]) => module).sort(), ['github.com/k3s-io/kine', 'github.com/loft-sh/vcluster', 'go.etcd.io/etcd/server/v3', 'helm.sh/helm/v3', 'k8s.io/kubernetes', 'sigs.k8s.io/kwok']);
    for (const program of LOCAL_PROGRAMS) assert.match(goMod, new RegExp(`^\\t${program.pkg.replace(/\./g, '\\.')}$`, 'm'));
    assert.equal(new Set(LOCAL_PROGRAMS.map((program) => program.out)).size, LOCAL_PROGRAMS.length, 'every binary has its own file name');
  });

  it('the pinned module in the repository (test/env/go) agrees with scripts/lib/versions.mjs: run `npm run go:pin` after changing a version', () => {
    const pinned = readFileSync(join(LOCAL_MODULE_DIR, 'go.mod'), 'utf8');
    for (const [module, version] of localModules()) {
      // In a require block, or a single-line `require` when it is the only direct one.
      assert.match(pinned, new RegExp(`^(?:\\t|require )${module.replace(/\./g, '\\.')} ${version.replace(/\./g, '\\.')}( // indirect)?$`, 'm'), `${module} ${version}`);
    }
    for (const replace of stagingReplaces(kubernetesGoMod, versions.kubernetesStaging)) assert.ok(pinned.includes(replace), replace);
    for (const program of LOCAL_PROGRAMS) assert.match(pinned, new RegExp(`^\\t${program.pkg.replace(/\./g, '\\.')}$`, 'm'), program.pkg);
    assert.match(readFileSync(join(LOCAL_MODULE_DIR, 'go.sum'), 'utf8'), /^k8s\.io\/kubernetes v1\.\d+\.\d+ h1:/m, 'go.sum holds the checksums');
  });

  it('stamps each project\'s version where its release build does, and strips debug info', () => {
    const ldflags = localLdflags();
    assert.match(ldflags, new RegExp(`-X k8s\\.io/component-base/version\\.gitVersion=${versions.kubernetes.replace(/\./g, '\\.')}`));
    assert.match(ldflags, /-X sigs\.k8s\.io\/kwok\/pkg\/consts\.Version=v/);
    assert.match(ldflags, /-X helm\.sh\/helm\/v3\/internal\/version\.version=v/);
    assert.match(ldflags, /-X github\.com\/k3s-io\/kine\/pkg\/version\.Version=v/);
    assert.match(ldflags, / -s -w$/);
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
