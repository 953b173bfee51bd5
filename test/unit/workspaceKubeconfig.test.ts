import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { parse, stringify } from 'yaml';
import { buildWorkspaceKubeconfig, mergeWorkspaceKubeconfig, WorkspaceKubeconfigError } from '../../src/kube/workspaceKubeconfig';
import { readWorkspaceKubeconfig, WorkspaceKubeconfigFile, writeWorkspaceKubeconfig } from '../../src/kube/workspaceKubeconfigFile';
import { aKubeconfig, aSimpleKubeconfig, TempDir } from './builders/kubeconfig';
import { faultyFileSystem } from './support/faultyFileSystem';

type Json = Record<string, unknown>;
const SECRET = 'sentinel-credential-7f3a9c';
const file = (path: string, document: Json | string) => ({ path, text: typeof document === 'string' ? document : stringify(document) });
const names = (document: Json, list: string) => (document[list] as Json[]).map((entry) => entry.name);
const entry = (document: Json, list: string, name: string) => (document[list] as Json[]).find((item) => item.name === name);
/** Temp files of writeFileAtomically for `target`: `.${name}.${pid}.${hex}.tmp`. */
const temporariesOf = (target: string) => (existsSync(dirname(target)) ? readdirSync(dirname(target)) : [])
  .filter((name) => name.startsWith(`.${basename(target)}.`) && /^\d+\.[0-9a-f]+\.tmp$/.test(name.slice(basename(target).length + 2)));

describe('buildWorkspaceKubeconfig', () => {
  it('merges several files the kubectl way: first definition wins, and the requested context is current', () => {
    const document = buildWorkspaceKubeconfig({
      sources: [
        file('/u/a/config', aKubeconfig({
          contexts: [{ name: 'shared', cluster: 'shared', user: 'shared' }, { name: 'a' }],
          clusters: [{ name: 'shared', server: 'https://a:6443' }, { name: 'a', server: 'https://a2:6443' }],
          users: [{ name: 'shared', extra: { token: 'from-a' } }, { name: 'a' }],
          current: 'a',
        })),
        file('/u/b/config', aKubeconfig({
          contexts: [{ name: 'shared', cluster: 'b', namespace: 'from-b' }, { name: 'b' }],
          clusters: [{ name: 'shared', server: 'https://ignored:6443' }, { name: 'b', server: 'https://b:6443' }],
          users: [{ name: 'shared', extra: { token: 'from-b' } }, { name: 'b' }],
          current: 'b',
        })),
        file('/u/c/config', aKubeconfig({ contexts: [{ name: 'c', cluster: 'b', user: 'b' }, { name: 'a', cluster: 'b' }] })),
      ],
      currentContext: 'c',
    });
    assert.deepEqual(names(document, 'clusters'), ['shared', 'a', 'b']);
    assert.deepEqual(names(document, 'users'), ['shared', 'a', 'b']);
    assert.deepEqual(names(document, 'contexts'), ['shared', 'a', 'b', 'c']);
    assert.deepEqual(entry(document, 'clusters', 'shared')?.cluster, { server: 'https://a:6443' });
    assert.deepEqual(entry(document, 'users', 'shared')?.user, { token: 'from-a' });
    assert.deepEqual(entry(document, 'contexts', 'shared')?.context, { cluster: 'shared', user: 'shared' });
    assert.equal(document['current-context'], 'c', "the window's choice, not the first file's current-context");
    assert.equal(document.apiVersion, 'v1');
    assert.equal(document.kind, 'Config');
  });

  it('keeps fields it does not know, beside name, inside entries and at the top level', () => {
    const first = [
      'apiVersion: v1', 'kind: Config', 'preferences: {colors: true}', 'x-top: [1, {deep: "yes"}]',
      'clusters:', '- name: k', '  extensions: [{name: example.com/a, extension: {region: eu}}]',
      '  cluster: {server: "https://k:6443", proxy-url: "http://proxy:3128", x-inner: {a: 1}}',
      'users:', '- name: k', '  x-entry: kept', '  user: {exec: {command: kubelogin, args: [get-token]}, x-inner: on}',
      'contexts:', '- name: k', '  context: {cluster: k, user: k, x-inner: null}', '',
    ].join('\n');
    const second = stringify({ preferences: { colors: false }, 'x-top': 'ignored', 'x-only-second': { b: 2 }, extensions: [{ name: 'e', extension: {} }] });
    const document = buildWorkspaceKubeconfig({ sources: [file('/u/a', first), file('/u/b', second)], currentContext: 'k' });
    // As kubectl reads it: YAML 1.1, so the unknown field's bare `on` is true.
    const original = parse(first, { version: '1.1' }) as Json;
    for (const list of ['clusters', 'users', 'contexts']) assert.deepEqual(document[list], original[list]);
    assert.deepEqual(document.preferences, { colors: true });
    assert.deepEqual(document['x-top'], [1, { deep: 'yes' }]);
    assert.deepEqual(document['x-only-second'], { b: 2 });
    assert.deepEqual(document.extensions, [{ name: 'e', extension: {} }]);
  });

  it('makes certificate, key and token paths absolute against the file that defines each entry', () => {
    const withPaths = (ca: string, key: string) => aKubeconfig({
      contexts: [{ name: 'k' }],
      clusters: [{ name: 'k', server: 'https://k:6443', extra: { 'certificate-authority': ca } }],
      users: [{ name: 'k', extra: { 'client-certificate': 'me.crt', 'client-key': key, tokenFile: 'token' } }],
    });
    const relativeFirst = buildWorkspaceKubeconfig({
      sources: [file('/u/first/config', withPaths('certs/ca.crt', '/abs/me.key')), file('/u/second/config', withPaths('other.crt', 'k.key'))],
      currentContext: 'k',
    });
    assert.equal((entry(relativeFirst, 'clusters', 'k')?.cluster as Json)['certificate-authority'], join('/u/first', 'certs/ca.crt'));
    assert.deepEqual(entry(relativeFirst, 'users', 'k')?.user, { 'client-certificate': join('/u/first', 'me.crt'), 'client-key': '/abs/me.key', tokenFile: join('/u/first', 'token') });
  });

  it('makes an exec plugin\'s command absolute when it names a path, as client-go does, and leaves a PATH command alone', () => {
    const withExec = (users: Array<{ name: string; command: string }>) => aKubeconfig({
      contexts: users.map((user) => ({ name: user.name })),
      clusters: users.map((user) => ({ name: user.name, server: 'https://k:6443' })),
      users: users.map((user) => ({ name: user.name, extra: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: user.command, args: ['token'], interactiveMode: 'Never' } } })),
    });
    const built = buildWorkspaceKubeconfig({
      sources: [file('/u/team/config', withExec([{ name: 'helper', command: './bin/token-helper' }, { name: 'nested', command: 'tools/login' }, { name: 'path', command: 'aws' }, { name: 'absolute', command: '/usr/local/bin/gke-auth' }]))],
      currentContext: 'helper',
    });
    const command = (name: string) => ((entry(built, 'users', name)?.user as Json).exec as Json).command;
    assert.equal(command('helper'), '/u/team/bin/token-helper');
    assert.equal(command('nested'), '/u/team/tools/login');
    assert.equal(command('path'), 'aws', 'a command found on PATH stays as it is');
    assert.equal(command('absolute'), '/usr/local/bin/gke-auth');
    assert.deepEqual(((entry(built, 'users', 'helper')?.user as Json).exec as Json).args, ['token'], 'the rest of exec is kept');
  });

  it('keeps what kubectl made in the window\'s terminals across rewrites, while the rest follows the user\'s files', () => {
    const workspaceFile = '/storage/ws/kubeconfig';
    const userFile = (server: string, extraContext = false) => file('/u/config', aKubeconfig({
      contexts: [{ name: 'dev' }, { name: 'prod' }, ...(extraContext ? [{ name: 'staging', cluster: 'dev', user: 'dev' }] : [])],
      clusters: [{ name: 'dev', server, extra: { 'x-team-field': 'kept' } }, { name: 'prod', server: 'https://prod:6443' }],
      users: [{ name: 'dev', extra: { token: SECRET } }, { name: 'prod', extra: { token: SECRET } }],
    }));
    const first = mergeWorkspaceKubeconfig({ sources: [userFile('https://dev:6443', true)], currentContext: 'dev' });
    assert.deepEqual(first.terminalContexts, []);
    // What kubectl does in the window's terminal, to the file as written:
    //   kubectl config set-context --current --namespace=team-a
    //   kubectl config set-cluster scratch --server=https://scratch:6443 --certificate-authority=certs/ca.crt
    //   kubectl config set-context scratch --cluster=scratch --user=dev
    // and it rewrites the whole file in its own way (here: an unknown field of a user entry dropped).
    const edited = structuredClone(first.document);
    ((edited.contexts as Json[]).find((item) => item.name === 'dev')!.context as Json).namespace = 'team-a';
    (edited.clusters as Json[]).push({ name: 'scratch', cluster: { server: 'https://scratch:6443', 'certificate-authority': 'certs/ca.crt' } });
    (edited.contexts as Json[]).push({ name: 'scratch', context: { cluster: 'scratch', user: 'dev' } });
    delete ((edited.clusters as Json[]).find((item) => item.name === 'dev')!.cluster as Json)['x-team-field'];

    // The user's file changes (the dev server moved, staging removed): a rewrite.
    const second = mergeWorkspaceKubeconfig({
      sources: [userFile('https://dev-new:6443')],
      currentContext: 'scratch',
      terminalEdits: { path: workspaceFile, current: edited, sources: first.sources },
    });
    const doc = second.document;
    assert.deepEqual(second.terminalContexts.sort(), ['dev', 'scratch']);
    assert.deepEqual((entry(doc, 'contexts', 'dev')?.context as Json), { cluster: 'dev', user: 'dev', namespace: 'team-a' }, 'the namespace set in the terminal stays');
    assert.deepEqual((entry(doc, 'clusters', 'dev')?.cluster as Json), { server: 'https://dev-new:6443', 'x-team-field': 'kept' }, 'the user\'s change arrives; kubectl\'s rewrite did not freeze the entry');
    assert.deepEqual((entry(doc, 'clusters', 'scratch')?.cluster as Json), { server: 'https://scratch:6443', 'certificate-authority': '/storage/ws/certs/ca.crt' }, 'made in the terminal, its relative path against the workspace file');
    assert.deepEqual(names(doc, 'contexts'), ['dev', 'prod', 'scratch'], 'staging left the user\'s file and was not edited: gone');
    assert.equal(doc['current-context'], 'scratch', 'a context made in the terminal can be current');

    // A third write: what the terminal made stays the terminal's (it never came from the files).
    const third = mergeWorkspaceKubeconfig({ sources: [userFile('https://dev-new:6443')], currentContext: 'dev', terminalEdits: { path: workspaceFile, current: doc, sources: second.sources } });
    assert.deepEqual(names(third.document, 'clusters'), ['dev', 'prod', 'scratch']);
    assert.equal(((entry(third.document, 'contexts', 'dev')?.context as Json).namespace), 'team-a');
    // The namespace set back to the file's: the context follows the file again.
    const back = structuredClone(third.document);
    delete ((back.contexts as Json[]).find((item) => item.name === 'dev')!.context as Json).namespace;
    const fourth = mergeWorkspaceKubeconfig({ sources: [userFile('https://dev-new:6443')], currentContext: 'dev', terminalEdits: { path: workspaceFile, current: back, sources: third.sources } });
    assert.deepEqual(fourth.terminalContexts, ['scratch']);
    assert.deepEqual((entry(fourth.document, 'contexts', 'dev')?.context as Json), { cluster: 'dev', user: 'dev' });
    assert.ok(!JSON.stringify(fourth.sources).includes(SECRET), 'the summary kept beside the file holds no credentials');
  });

  it("includes the extension's vCluster contexts, but a user definition of the same name wins", () => {
    const vcluster = 'vcluster_vc_team_kind-dev';
    const extra = [file('/storage/vclusters.kubeconfig', {
      ...aSimpleKubeconfig(vcluster, 'https://127.0.0.1:31443'),
      contexts: [{ name: vcluster, context: { cluster: vcluster, user: vcluster } }, { name: 'dev', context: { cluster: vcluster, user: vcluster } }],
    })];
    const document = buildWorkspaceKubeconfig({ sources: [file('/u/config', aSimpleKubeconfig('dev', 'https://dev:6443'))], extra, currentContext: vcluster });
    assert.deepEqual(names(document, 'contexts'), ['dev', vcluster]);
    assert.deepEqual(entry(document, 'contexts', 'dev')?.context, { cluster: 'dev', user: 'dev' });
    assert.equal((entry(document, 'clusters', vcluster)?.cluster as Json).server, 'https://127.0.0.1:31443');
    assert.equal(document['current-context'], vcluster);
  });

  it('refuses a context that no file defines, or whose cluster is not defined, naming the files', () => {
    const sources = [
      file('/u/a', aSimpleKubeconfig('dev', 'https://dev:6443')),
      file('/u/b', aKubeconfig({ contexts: [{ name: 'dangling', cluster: 'ghost' }], users: [{ name: 'dangling' }] })),
    ];
    const build = (currentContext: string) => () => buildWorkspaceKubeconfig({ sources, extra: [file('/s/vc', '')], currentContext });
    assert.throws(build('gone'), (error: Error) => error instanceof WorkspaceKubeconfigError
      && /context "gone" is not in any of: \/u\/a, \/u\/b, \/s\/vc\. Choose another context/.test(error.message));
    assert.throws(build('dangling'), /context "dangling" in \/u\/b refers to cluster "ghost", which none of \/u\/a, \/u\/b, \/s\/vc defines\. Add the cluster/);
    const noCluster = [file('/u/c', { contexts: [{ name: 'bare', context: { user: 'x' } }] })];
    assert.throws(() => buildWorkspaceKubeconfig({ sources: noCluster, currentContext: 'bare' }), /context "bare" in \/u\/c names no cluster/);
  });

  it('names the file and the line of broken YAML, and says what to do', () => {
    const broken = 'apiVersion: v1\nclusters:\n- name: k\n  cluster:\n    server: https://k\n   bad: [unclosed\n';
    const fine = file('/u/fine', aSimpleKubeconfig('k', 'https://k:6443'));
    assert.throws(() => buildWorkspaceKubeconfig({ sources: [fine, file('/u/broken', broken)], currentContext: 'k' }),
      /^WorkspaceKubeconfigError: \/u\/broken: not valid YAML at line 6, column \d+ \(\w+\)\. Fix the file, or take it out of KUBECONFIG/);
    assert.throws(() => buildWorkspaceKubeconfig({ sources: [fine], extra: [file('/s/vclusters.kubeconfig', broken)], currentContext: 'k' }),
      /\/s\/vclusters\.kubeconfig: not valid YAML at line 6.*move it aside and connect again/);
  });

  it('treats empty files as empty and refuses files that are not kubeconfigs, naming them', () => {
    const fine = file('/u/fine', aSimpleKubeconfig('k', 'https://k:6443'));
    const document = buildWorkspaceKubeconfig({ sources: [file('/u/empty', ''), file('/u/blank', '  \n\t\n'), file('/u/null', '~\n'), fine], currentContext: 'k' });
    assert.deepEqual(names(document, 'contexts'), ['k']);
    const refused = (text: string) => () => buildWorkspaceKubeconfig({ sources: [fine, file('/u/odd', text)], currentContext: 'k' });
    assert.throws(refused('- a\n- list\n'), /\/u\/odd: not a kubeconfig: its top level is not a mapping/);
    assert.throws(refused('just a string'), /\/u\/odd: not a kubeconfig/);
    assert.throws(refused('apiVersion: v1\ncontexts: {a: b}\n'), /\/u\/odd: "contexts" is not a list at line 2/);
    assert.throws(refused('users: []\nclusters:\n- name: a\n- cluster: {server: x}\n'), /\/u\/odd: entry 2 of "clusters" has no name at line 4/);
  });

  it('never puts a credential in an error message', () => {
    const user = `users:\n- name: u\n  user:\n    token: ${SECRET}\n`;
    const attempts = [
      { text: `${user}   broken: [${SECRET}\n`, current: 'k' },
      { text: `users: ${SECRET}\n`, current: 'k' },
      { text: `users:\n- user: {token: ${SECRET}}\n`, current: 'k' },
      { text: `- ${SECRET}\n`, current: 'k' },
      { text: `users:\n- name: u\n  user: {token: *${SECRET}}\n`, current: 'k' },
      { text: user, current: 'missing' },
      { text: `${user}contexts:\n- name: c\n  context: {cluster: ghost, user: u}\n`, current: 'c' },
    ];
    for (const { text, current } of attempts) {
      assert.throws(() => buildWorkspaceKubeconfig({ sources: [file('/u/secret', text)], currentContext: current }), (error: Error) => {
        assert.ok(error instanceof WorkspaceKubeconfigError, error.message);
        assert.ok(!error.message.includes(SECRET), `leaked in: ${error.message}`);
        return true;
      });
    }
  });
});

describe('readWorkspaceKubeconfig and writeWorkspaceKubeconfig', () => {
  const dir = new TempDir();
  after(() => dir.remove());
  const aDocument = (name: string) => buildWorkspaceKubeconfig({ sources: [file('/u/config', aSimpleKubeconfig(name, 'https://k:6443'))], currentContext: name });

  it('says missing when there is no file', async () => {
    assert.deepEqual(await readWorkspaceKubeconfig(dir.file('nope')), { state: 'missing' });
    assert.deepEqual(await readWorkspaceKubeconfig(join(dir.write('plain', 'x'), 'below-a-file')), { state: 'missing' });
  });

  it('reads back exactly what was written, with mode 0600, strings kubectl would misread quoted', async () => {
    const target = dir.file('deeper/workspace.kubeconfig');
    const document = { ...aDocument('k'), 'x-tricky': ['yes', 'no', 'on', '0777', '~', '', 'a: b'] };
    await writeWorkspaceKubeconfig(target, document);
    assert.deepEqual(await readWorkspaceKubeconfig(target), { state: 'ok', currentContext: 'k', document });
    assert.equal(statSync(target).mode & 0o777, 0o600);
    assert.match(readFileSync(target, 'utf8'), /- "yes"\n\s+- "no"\n\s+- "on"\n\s+- "0777"/);
  });

  it('calls garbage, a list, half a file, an empty file or a dangling current-context corrupt, never quoting it', async () => {
    const whole = stringify({ ...aDocument('k'), users: [{ name: 'k', user: { token: SECRET } }] }, { defaultStringType: 'QUOTE_DOUBLE' });
    const cases: Array<[string, string | undefined, RegExp]> = [
      ['garbage', `\u0000\u0007{{ ${SECRET}: ]]`, /not valid YAML at line 1/],
      ['list', `- ${SECRET}\n- b\n`, /top level is not a mapping/],
      ['half', whole.slice(0, whole.indexOf(SECRET) + 4), /not valid YAML at line \d+/],
      ['empty', '', /it is empty/],
      ['dangling', stringify({ ...aDocument('k'), 'current-context': 'gone' }), /current-context "gone" is not one of its contexts/],
      ['folder', undefined, /it is a folder/],
    ];
    for (const [name, text, problem] of cases) {
      if (text === undefined) mkdirSync(dir.file(name));
      else dir.write(name, text);
      const read = await readWorkspaceKubeconfig(dir.file(name));
      assert.equal(read.state, 'corrupt', name);
      if (read.state === 'corrupt') {
        assert.match(read.problem, problem, name);
        assert.ok(!read.problem.includes(SECRET), name);
      }
    }
  });

  it('removes temp files of dead writers and old ones, keeping those a live process may still be writing', async () => {
    const target = dir.write('cleanup.kubeconfig', stringify(aDocument('k')));
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    const temp = (pid: number | string, token: string, minutesOld = 0) => {
      const path = dir.write(`.cleanup.kubeconfig.${pid}.${token}.tmp`, 'partial');
      const time = new Date(Date.now() - minutesOld * 60_000);
      utimesSync(path, time, time);
      return basename(path);
    };
    const dead = temp(deadPid, '0badc0de');
    const liveOther = temp(process.ppid, '00000001');
    const liveOtherOld = temp(process.ppid, '00000002', 11);
    const ours = temp(process.pid, '00000003');
    const unrelated = [dir.write('.cleanup.kubeconfig.tmp', ''), dir.write(`.other.kubeconfig.${deadPid}.00000004.tmp`, ''), dir.write('cleanup.kubeconfig.bak', '')];
    await writeWorkspaceKubeconfig(target, aDocument('k2'));
    assert.deepEqual(temporariesOf(target).sort(), [liveOther, ours].sort(), 'ours may be a concurrent write: only the writer object may remove it');
    assert.ok(!temporariesOf(target).includes(dead) && !temporariesOf(target).includes(liveOtherOld));
    await new WorkspaceKubeconfigFile(target).write(aDocument('k3'));
    assert.deepEqual(temporariesOf(target), [liveOther]);
    for (const path of unrelated) assert.ok(statSync(path).isFile());
  });

  it('keeps the summary of the user\'s files beside the file (0600, no credentials), and reads nothing from a damaged one', async () => {
    const target = dir.file('with-sources/kubeconfig');
    const writer = new WorkspaceKubeconfigFile(target);
    assert.equal(await writer.readSources(), undefined, 'none before the first write');
    const merged = mergeWorkspaceKubeconfig({ sources: [file('/u/config', aSimpleKubeconfig('k', 'https://k:6443', { namespace: 'apps' }))], currentContext: 'k' });
    await writer.write(merged.document, merged.sources);
    // (contexts is a null-prototype record: a context may be named __proto__.)
    assert.deepEqual(JSON.parse(JSON.stringify(await writer.readSources())), { clusters: ['k'], users: ['k'], contexts: { k: { cluster: 'k', user: 'k', namespace: 'apps' } } });
    assert.equal(statSync(writer.sourcesPath).mode & 0o777, 0o600);
    assert.ok(!readFileSync(writer.sourcesPath, 'utf8').includes('not-a-real-token'));
    for (const damaged of ['{', '[]', '{"clusters":["k"],"users":["k"],"contexts":{"k":{"cluster":1}}}', '{"clusters":"k","users":[],"contexts":{}}']) {
      writeFileSync(writer.sourcesPath, damaged);
      assert.equal(await writer.readSources(), undefined, damaged);
    }
  });

  it('waits while kubectl holds the file\'s lock (a terminal of the window writing it), then writes', async () => {
    const target = dir.file('locked/workspace.kubeconfig');
    const writer = new WorkspaceKubeconfigFile(target);
    await writer.write(aDocument('before'));
    // kubectl's lock: `<file>.lock`, created exclusively, removed when its write is done.
    writeFileSync(`${target}.lock`, '', { flag: 'wx' });
    let done = false;
    const writing = writer.write(aDocument('after')).then(() => { done = true; });
    try {
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal(done, false, 'no write while the lock is held');
      assert.match(readFileSync(target, 'utf8'), /current-context: "before"/);
    } finally {
      // Released whatever happened, so the pending write ends before the folder is removed.
      rmSync(`${target}.lock`, { force: true });
      await writing.catch(() => undefined);
    }
    assert.match(readFileSync(target, 'utf8'), /current-context: "after"/);
    assert.equal(existsSync(`${target}.lock`), false, 'its own lock is released');
  });

  it('lets concurrent writes of one target all succeed; the writer object applies them in order', async () => {
    const target = dir.file('concurrent.kubeconfig');
    const documents = Array.from({ length: 20 }, (_, index) => aDocument(`k${index}`));
    await Promise.all(documents.map((document) => writeWorkspaceKubeconfig(target, document)));
    const read = await readWorkspaceKubeconfig(target);
    assert.ok(read.state === 'ok' && documents.some((document) => isDeepStrictEqual(document, read.document)));
    const writer = new WorkspaceKubeconfigFile(target);
    await Promise.all(documents.map((document) => writer.write(document)));
    assert.deepEqual(await writer.read(), { state: 'ok', currentContext: 'k19', document: documents[19] });
    assert.deepEqual(temporariesOf(target), []);
  });

  it('a failed write leaves the previous file, removes its temp file and says what to do', async () => {
    const target = dir.file('failing.kubeconfig');
    await writeWorkspaceKubeconfig(target, aDocument('before'));
    const failingSync = faultyFileSystem({ step: 'sync', crash: false, writtenFraction: 1 });
    await assert.rejects(writeWorkspaceKubeconfig(target, aDocument('after'), failingSync),
      /^WorkspaceKubeconfigError: Could not write .*failing\.kubeconfig \(EIO\); the previous version is unchanged\. Check that/);
    assert.equal((await readWorkspaceKubeconfig(target) as { currentContext?: string }).currentContext, 'before');
    assert.deepEqual(temporariesOf(target), []);
  });
});
