// Workspace trust in the manifest: a repository's .vscode/settings.json is untrusted input. Every
// setting that chooses a program, a file, a server or a chart source, or that writes outside the
// workspace, must be restricted (ignored from an untrusted workspace), and those that must never
// come from any repository are machine-scoped (user settings only).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

interface Manifest {
  capabilities?: { untrustedWorkspaces?: { supported: boolean | 'limited'; restrictedConfigurations?: string[] } };
  contributes: { configuration: { properties: Record<string, { scope?: string }> } };
}

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;
const properties = manifest.contributes.configuration.properties;

/** Settings a repository may set even untrusted: each changes only how this extension behaves here. */
const HARMLESS = new Set(['vcluster.requestTimeoutSeconds', 'vcluster.provisioner', 'vcluster.chart.version']);
/** Programs the extension runs, and the user's own kubeconfig written: never from a repository. */
const MACHINE_ONLY = ['vcluster.vclusterPath', 'vcluster.helmPath', 'vcluster.kubectlPath', 'vcluster.kindPath', 'vcluster.workspace.writeToUserKubeconfig'];

describe('security: workspace trust in the manifest', () => {
  it('declares limited support for untrusted workspaces', () => {
    assert.equal(manifest.capabilities?.untrustedWorkspaces?.supported, 'limited');
  });

  it('restricts every setting that is not known to be harmless (a new setting must be classified here)', () => {
    const restricted = new Set(manifest.capabilities?.untrustedWorkspaces?.restrictedConfigurations ?? []);
    const unclassified = Object.keys(properties).filter((key) => !HARMLESS.has(key) && !restricted.has(key));
    assert.deepEqual(unclassified, []);
    for (const key of restricted) assert.ok(properties[key], `${key} is a setting of this extension`);
  });

  it('keeps program paths and the user-kubeconfig write out of workspace settings altogether', () => {
    for (const key of MACHINE_ONLY) assert.equal(properties[key]?.scope, 'machine', key);
  });
});
