// The opt-in write to the user's own kubeconfig (vcluster.workspace.writeToUserKubeconfig) must
// leave the file as kubectl would: the symlink a dotfiles setup made, the mode, the line endings
// and the comments kept, and kubectl's config.lock honoured. Before, it replaced a symlinked
// ~/.kube/config with a regular file, made 0640 into 0600, dropped \r and ignored the lock.
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { join } from 'node:path';
import { editKubeconfigText } from '../../src/kube/userKubeconfigEdit';
import { editUserKubeconfig } from '../../src/kube/userKubeconfigWrite';
import { TempDir } from './builders/kubeconfig';

const USER_FILE = [
  '# my clusters: do not lose this comment',
  'apiVersion: v1',
  'kind: Config',
  'clusters:',
  '- name: prod # the big one',
  '  cluster: {server: "https://prod:6443"}',
  'users:',
  '- name: me',
  '  user: {token: t}',
  'contexts:',
  '- name: prod',
  '  context: {cluster: prod, user: me}',
  '- name: dev',
  '  context: {cluster: prod, user: me, namespace: dev}',
  'current-context: prod',
  '',
].join('\n');

const vclusterEntries = {
  clusters: [{ name: 'vcluster_a_ns_prod', cluster: { server: 'https://127.0.0.1:11000', 'certificate-authority-data': 'Q0E=' } }],
  users: [{ name: 'vcluster_a_ns_prod', user: { 'client-certificate-data': 'Qw==', 'client-key-data': 'Sw==' } }],
  contexts: [{ name: 'vcluster_a_ns_prod', context: { cluster: 'vcluster_a_ns_prod', user: 'vcluster_a_ns_prod' } }],
};

describe('security: the user\'s own kubeconfig, written only on request, stays theirs', () => {
  const dir = new TempDir();
  after(() => dir.remove());
  const switchTo = (context: string, entries?: typeof vclusterEntries) => (text: string) => editKubeconfigText('config', text, context, entries);

  it('writes through a symlink: the link stays, its target changes', async () => {
    const dotfiles = join(dir.path, 'dotfiles');
    mkdirSync(dotfiles);
    const target = join(dotfiles, 'kubeconfig');
    writeFileSync(target, USER_FILE, { mode: 0o600 });
    const link = join(dir.path, 'config-link');
    symlinkSync(target, link);
    assert.equal(await editUserKubeconfig(link, switchTo('vcluster_a_ns_prod', vclusterEntries)), true);
    assert.ok(lstatSync(link).isSymbolicLink(), 'still a symlink');
    assert.equal(readlinkSync(link), target);
    assert.match(readFileSync(target, 'utf8'), /current-context: vcluster_a_ns_prod/);
  });

  it('keeps the file\'s mode (0640 stays 0640)', async () => {
    const path = dir.write('mode-0640', USER_FILE);
    chmodSync(path, 0o640);
    await editUserKubeconfig(path, switchTo('dev'));
    assert.equal(statSync(path).mode & 0o777, 0o640);
  });

  it('keeps CRLF line endings and every comment, with entries added', async () => {
    const path = dir.write('crlf', USER_FILE.replace(/\n/g, '\r\n'));
    await editUserKubeconfig(path, switchTo('vcluster_a_ns_prod', vclusterEntries));
    const text = readFileSync(path, 'utf8');
    assert.equal(text.split('\r\n').length - 1, text.split('\n').length - 1, 'every line ends with CRLF');
    assert.match(text, /# my clusters: do not lose this comment/);
    assert.match(text, /# the big one/);
    assert.match(text, /current-context: vcluster_a_ns_prod/);
  });

  it('changes only the current-context line when that is all that changes', async () => {
    const path = dir.write('one-line', USER_FILE);
    await editUserKubeconfig(path, switchTo('dev'));
    assert.equal(readFileSync(path, 'utf8'), USER_FILE.replace('current-context: prod', 'current-context: dev'));
  });

  it('honours kubectl\'s config.lock: waits while it is held, then writes', async () => {
    const path = dir.write('locked', USER_FILE);
    writeFileSync(`${path}.lock`, '');
    let done = false;
    const writing = editUserKubeconfig(path, switchTo('dev')).then(() => { done = true; });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(done, false);
    assert.match(readFileSync(path, 'utf8'), /current-context: prod/);
    rmSync(`${path}.lock`);
    await writing;
    assert.match(readFileSync(path, 'utf8'), /current-context: dev/);
  });

  it('writes nothing when nothing changes, and creates a missing file 0600', async () => {
    const path = dir.write('same', USER_FILE);
    const before = statSync(path).mtimeMs;
    assert.equal(await editUserKubeconfig(path, switchTo('prod')), false);
    assert.equal(statSync(path).mtimeMs, before);
    const fresh = join(dir.path, 'new-home', '.kube', 'config');
    assert.equal(await editUserKubeconfig(fresh, switchTo('vcluster_a_ns_prod', vclusterEntries)), true);
    assert.equal(statSync(fresh).mode & 0o777, 0o600);
  });

  it('refuses a dangling symlink instead of replacing it', async () => {
    const link = join(dir.path, 'dangling');
    symlinkSync(join(dir.path, 'nowhere'), link);
    await assert.rejects(editUserKubeconfig(link, switchTo('dev')), /symlink to a file that does not exist/);
    assert.ok(lstatSync(link).isSymbolicLink());
  });
});
