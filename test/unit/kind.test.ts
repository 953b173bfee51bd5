import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  createKindCluster,
  deleteKindCluster,
  diagnoseContainerEngine,
  KIND_INSTALL_URL,
  kindClusterOfContext,
  kindContextName,
  kindCreateArgs,
  KindError,
  type KindErrorReason,
  listKindClusters,
  parseKindClusters,
  suggestKindClusterName,
  validateKindClusterName,
  validateNodeImage,
} from '../../src/hostcluster/kind';
import { probeTool } from '../../src/process/tools';

// kind's happy path needs Docker, which this machine lacks, so most tests run FAKE kind programs:
// POSIX shell scripts that print kind's real output and errors (quoted from kind's source and from
// kind users' bug reports, cited beside each) and record their argv. Each call is one line of
// argv.log, its arguments joined by "|". The real process machinery (spawn, stream, kill) is used.

const posix = process.platform !== 'win32';
const scratch = mkdtempSync(join(tmpdir(), 'vcluster-kind-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

interface FakeKind {
  /** Path of the FAKE kind script, passed where vcluster.kindPath would be. */
  path: string;
  dir: string;
  /** The argv of every call, in order. */
  calls(): string[][];
}

let fakeCount = 0;
function fakeKind(body: string): FakeKind {
  const dir = join(scratch, `fake-${++fakeCount}`);
  mkdirSync(dir);
  const log = join(dir, 'argv.log');
  const path = join(dir, 'kind');
  writeFileSync(path, `#!/bin/sh\n(IFS='|'; printf '%s\\n' "$*") >> '${log}'\n${body}\n`, { mode: 0o755 });
  return {
    path,
    dir,
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trimEnd().split('\n').map((line) => line.split('|')) : []),
  };
}

/** A FAKE kind whose every call fails with kind's real error text on stderr and exit status 1. */
function failingKind(stderr: string): FakeKind {
  return fakeKind(`cat >&2 <<'EOF'\n${stderr}\nEOF\nexit 1`);
}

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, program)));
}

function isKindError(reason: KindErrorReason, firstLine: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof KindError, `expected a KindError, got ${String(error)}`);
    assert.equal(error.reason, reason, error.message);
    assert.match(error.message.split('\n')[0] ?? '', firstLine);
    return true;
  };
}

// kind create cluster's real progress output (knative-extensions/kn-plugin-quickstart#415).
const KIND_CREATE_OUTPUT = `Creating cluster "demo" ...
 ✓ Ensuring node image (kindest/node:v1.33.1) 🖼
 ✓ Preparing nodes 📦  
 ✓ Writing configuration 📜 
 ✓ Starting control-plane 🕹️ 
 ✓ Installing CNI 🔌 
 ✓ Installing StorageClass 💾 
 ✓ Waiting ≤ 1m0s for control-plane = Ready ⏳ 
 • Ready after 19s 💚
Set kubectl context to "kind-demo"
You can now use your cluster with:

kubectl cluster-info --context kind-demo

Thanks for using kind! 😊`;

// Without a docker binary kind falls back to docker (pkg/cluster/provider.go), fails in
// validateProvider's `docker info` (pkg/cluster/internal/create/create.go) and prints the
// exec.RunError (pkg/exec/types.go) under the command's wrap.
const DOCKER_NOT_INSTALLED_CREATE = `ERROR: failed to create cluster: failed to get docker info: command "docker info --format '{{json .}}'" failed with error: exec: "docker": executable file not found in $PATH`;
const DOCKER_NOT_INSTALLED_LIST = `ERROR: failed to list clusters: command "docker ps -a --filter label=io.x-k8s.kind.cluster --format '{{.Label "io.x-k8s.kind.cluster"}}'" failed with error: exec: "docker": executable file not found in $PATH`;
// ByConity/byconity-deploy#14, verbatim.
const DOCKER_DAEMON_DOWN = `ERROR: failed to create cluster: failed to list nodes: command "docker ps -a --filter label=io.x-k8s.kind.cluster=byconity-cluster --format '{{.Names}}'" failed with error: exit status 1
Command Output: Cannot connect to the Docker daemon at unix:///Users/bytedance/.colima/default/docker.sock. Is the docker daemon running?`;
// itbench-hub/ITBench#10, verbatim.
const PODMAN_DOWN = `enabling experimental podman provider
ERROR: failed to create cluster: failed to get podman info (podman info --format json): "OS: darwin/arm64\\nbuildOrigin: brew\\nprovider: applehv\\nversion: 5.4.0\\n\\n": command "podman info --format json" failed with error: exit status 125
Command Output: Cannot connect to Podman. Please verify your connection to the Linux system using \`podman system connection list\`, or try \`podman machine init\` and \`podman machine start\` to manage a new Linux VM`;
// kubernetes-sigs/kind#860 (the docker client's message), under kind's wrap.
const DOCKER_SOCKET_DENIED = `ERROR: failed to create cluster: failed to get docker info: command "docker info --format '{{json .}}'" failed with error: exit status 1
Command Output: Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get http://%2Fvar%2Frun%2Fdocker.sock/v1.39/version: dial unix /var/run/docker.sock: connect: permission denied`;
// pkg/cluster/internal/create/create.go alreadyExists().
const ALREADY_EXISTS = `ERROR: failed to create cluster: node(s) already exist for a cluster with the name "demo"`;
// chaos-mesh/chaos-mesh#163: a failure that is none of the above.
const KUBEADM_FAILED = `Creating cluster "demo" ...
 ✓ Ensuring node image (kindest/node:v1.33.1) 🖼
 ✓ Preparing nodes 📦
 ✓ Writing configuration 📜
 ✗ Starting control-plane 🕹️
ERROR: failed to create cluster: failed to init node with kubeadm: command "docker exec --privileged demo-control-plane kubeadm init --ignore-preflight-errors=all --config=/kind/kubeadm.conf --skip-token-print --v=6" failed with error: exit status 1`;

describe('kind names', () => {
  it('maps clusters to kind-NAME contexts and back, and ignores other contexts', () => {
    assert.equal(kindContextName('demo'), 'kind-demo');
    assert.equal(kindClusterOfContext('kind-demo'), 'demo');
    assert.equal(kindClusterOfContext('kind-kind'), 'kind');
    assert.equal(kindClusterOfContext('kind-'), undefined);
    assert.equal(kindClusterOfContext('minikube'), undefined);
    assert.equal(kindClusterOfContext('kind-Prod_EU'), undefined, 'not a name kind could have made');
  });

  it("accepts what kind's ^[a-z0-9.-]+$ accepts, and says why otherwise", () => {
    for (const name of ['kind', 'dev-1', 'team.a', '1st', 'a'.repeat(50)]) assert.equal(validateKindClusterName(name), undefined, name);
    assert.match(validateKindClusterName('') ?? '', /Enter a name/);
    for (const name of ['Kind', 'my_cluster', 'a b', 'dev/1', 'ünï']) assert.match(validateKindClusterName(name) ?? '', /lowercase letters, digits/, name);
    assert.match(validateKindClusterName('-dev') ?? '', /Start with a lowercase letter or a digit/);
    assert.match(validateKindClusterName('.dev') ?? '', /Start with/);
    assert.match(validateKindClusterName('a'.repeat(51)) ?? '', /at most 50 characters/);
  });

  it('refuses node images kind would misread', () => {
    assert.equal(validateNodeImage(''), undefined);
    assert.equal(validateNodeImage('kindest/node:v1.33.1@sha256:050072256b9a903bd914c0b2866828150cb229cea0efe5892e2b644d5dd3b34f'), undefined);
    assert.match(validateNodeImage('kindest/node v1.33') ?? '', /no spaces/);
    assert.match(validateNodeImage('--retain') ?? '', /cannot start with "-"/);
  });

  it('suggests kind, then the first free kind-N', () => {
    assert.equal(suggestKindClusterName([]), 'kind');
    assert.equal(suggestKindClusterName(['other']), 'kind');
    assert.equal(suggestKindClusterName(['kind']), 'kind-2');
    assert.equal(suggestKindClusterName(['kind', 'kind-2', 'kind-4']), 'kind-3');
  });

  it('builds create arguments with only the options given', () => {
    assert.deepEqual(kindCreateArgs({ name: 'demo' }), ['create', 'cluster', '--name', 'demo', '--wait', '60s']);
    assert.deepEqual(parseKindClusters('alpha\r\nbeta\n\nNo kind clusters found.\n'), ['alpha', 'beta']);
  });

  it('recognises each container-engine failure and nothing else', () => {
    assert.match(diagnoseContainerEngine(DOCKER_NOT_INSTALLED_CREATE) ?? '', /"docker" is not installed/);
    assert.match(diagnoseContainerEngine('exec: "podman": executable file not found in $PATH') ?? '', /"podman" is not installed/);
    assert.match(diagnoseContainerEngine(DOCKER_DAEMON_DOWN) ?? '', /Docker daemon is not running/);
    assert.match(diagnoseContainerEngine(PODMAN_DOWN) ?? '', /Podman is not running/);
    assert.match(diagnoseContainerEngine(DOCKER_SOCKET_DENIED) ?? '', /permission denied on the Docker socket/);
    assert.equal(diagnoseContainerEngine(KUBEADM_FAILED), undefined);
    assert.equal(diagnoseContainerEngine(ALREADY_EXISTS), undefined);
  });
});

describe('listKindClusters', { skip: !posix && 'the FAKE kind programs are POSIX shell scripts' }, () => {
  it('FAKE kind: returns the names kind get clusters prints, from `kind get clusters`', async () => {
    const kind = fakeKind(`printf 'alpha\\nbeta\\n'`);
    assert.deepEqual(await listKindClusters(kind.path), ['alpha', 'beta']);
    assert.deepEqual(kind.calls(), [['get', 'clusters']]);
  });

  it('FAKE kind: "No kind clusters found." on stderr is an empty list', async () => {
    // pkg/cmd/kind/get/clusters/clusters.go logs it (to stderr) and exits 0.
    const kind = fakeKind(`echo 'No kind clusters found.' >&2`);
    assert.deepEqual(await listKindClusters(kind.path), []);
  });

  it('FAKE kind: no docker binary → "kind needs a running container engine"', async () => {
    const kind = failingKind(DOCKER_NOT_INSTALLED_LIST);
    await assert.rejects(listKindClusters(kind.path), (error: unknown) => {
      isKindError('engineUnavailable', /^kind needs a running container engine \(Docker or Podman\): "docker" is not installed/)(error);
      // The rest of the message keeps kind's own words for the log.
      assert.match((error as Error).message, /\$ .*kind get clusters \(exit 1\)\nERROR: failed to list clusters/);
      return true;
    });
  });

  it('a kind path that does not exist → install hint naming the path and the setting', async () => {
    const missing = join(scratch, 'no-such-dir', 'kind');
    await assert.rejects(listKindClusters(missing), (error: unknown) => {
      isKindError('kindMissing', /^kind is not installed \(not found at .*no-such-dir\/kind\) — install it from https:\/\/kind\.sigs\.k8s\.io\/docs\/user\/quick-start\/#installation or set vcluster\.kindPath\.$/)(error);
      return true;
    });
  });

  it('a kind path that is not executable says so', async () => {
    const notExecutable = join(scratch, 'kind-not-executable');
    writeFileSync(notExecutable, '#!/bin/sh\necho never\n', { mode: 0o644 });
    await assert.rejects(listKindClusters(notExecutable), isKindError('kindMissing', /is not executable — install it from .* or set vcluster\.kindPath/));
  });

  it('real: without kind on PATH, listing and the tool probe both say so clearly', async (t) => {
    if (onPath('kind')) {
      t.skip('kind is installed on this machine');
      return;
    }
    await assert.rejects(listKindClusters(undefined), (error: unknown) => {
      isKindError('kindMissing', /^kind is not installed \(not found on PATH\)/)(error);
      assert.ok((error as Error).message.includes(KIND_INSTALL_URL));
      return true;
    });
    const probe = await probeTool('kind', undefined);
    assert.equal(probe.problem, 'not found on PATH');
    assert.match(probe.installHint, /kind\.sigs\.k8s\.io.*container engine \(Docker or Podman\)/);
  });

  it("real docker CLI, no daemon: a FAKE kind running kind's own `docker ps` gets the engine message", async (t) => {
    if (!onPath('docker')) {
      t.skip('no docker CLI on this machine');
      return;
    }
    // The FAKE kind runs the exact command kind's docker provider runs for `kind get clusters`
    // (pkg/cluster/internal/providers/docker/provider.go) and reports a failure in kind's format;
    // the daemon's message is the real docker client's.
    const kind = fakeKind(`out=$(docker ps -a --filter label=io.x-k8s.kind.cluster --format '{{.Label "io.x-k8s.kind.cluster"}}' 2>&1) || {
  echo "ERROR: failed to list clusters: command \\"docker ps -a --filter label=io.x-k8s.kind.cluster --format '{{.Label \\"io.x-k8s.kind.cluster\\"}}'\\" failed with error: exit status 1" >&2
  echo "Command Output: $out" >&2
  exit 1
}
printf '%s\\n' "$out"`);
    let names: string[] | undefined;
    await listKindClusters(kind.path).then((result) => { names = result; }, (error: unknown) => {
      isKindError('engineUnavailable', /^kind needs a running container engine \(Docker or Podman\): the Docker daemon is not running/)(error);
      assert.match((error as Error).message, /Cannot connect to the Docker daemon/);
    });
    if (names) t.skip(`a Docker daemon answered here (${names.length} kind clusters)`);
  });
});

describe('createKindCluster', { skip: !posix && 'the FAKE kind programs are POSIX shell scripts' }, () => {
  it('FAKE kind: passes name, config, image, kubeconfig and --wait as separate arguments, and streams its output', async () => {
    const kind = fakeKind(`cat >&2 <<'EOF'\n${KIND_CREATE_OUTPUT}\nEOF`);
    // A path a shell would mangle: spaces, $( ), quotes. It must arrive as one argument.
    const configDir = join(kind.dir, 'my configs $(touch pwned) "x"');
    mkdirSync(configDir);
    const configFile = join(configDir, 'kind.yaml');
    writeFileSync(configFile, 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n');
    const kubeconfig = join(kind.dir, 'kubeconfig');
    const lines: string[] = [];
    const created = await createKindCluster({
      kindCommand: kind.path, name: 'demo', configFile, nodeImage: 'kindest/node:v1.33.1', kubeconfigPath: kubeconfig,
      onLine: (line) => lines.push(line), timeoutMs: 10_000,
    });
    assert.deepEqual(created, { name: 'demo', contextName: 'kind-demo' });
    assert.deepEqual(kind.calls(), [[
      'create', 'cluster', '--name', 'demo', '--config', configFile, '--image', 'kindest/node:v1.33.1', '--kubeconfig', kubeconfig, '--wait', '60s',
    ]]);
    assert.ok(lines.includes('Set kubectl context to "kind-demo"'), lines.join('\n'));
    assert.ok(lines.some((line) => line.includes('✓ Preparing nodes')));
    assert.equal(existsSync(join(process.cwd(), 'pwned')) || existsSync(join(kind.dir, 'pwned')), false, 'no shell ran the path');
  });

  it('FAKE kind: without options, only --name and --wait', async () => {
    const kind = fakeKind(`cat >&2 <<'EOF'\n${KIND_CREATE_OUTPUT}\nEOF`);
    await createKindCluster({ kindCommand: kind.path, name: 'demo', timeoutMs: 10_000 });
    assert.deepEqual(kind.calls(), [['create', 'cluster', '--name', 'demo', '--wait', '60s']]);
  });

  it('FAKE kind: cluster already exists → says so and what to do', async () => {
    const kind = failingKind(ALREADY_EXISTS);
    await assert.rejects(
      createKindCluster({ kindCommand: kind.path, name: 'demo', timeoutMs: 10_000 }),
      isKindError('alreadyExists', /^A kind cluster named "demo" already exists — choose another name, or delete that cluster first\.$/),
    );
  });

  for (const [title, stderr, phrase] of [
    ['no docker binary', DOCKER_NOT_INSTALLED_CREATE, /: "docker" is not installed \(not found on PATH\)\. Start or install one, then try again\.$/],
    ['Docker daemon not running', DOCKER_DAEMON_DOWN, /: the Docker daemon is not running\. Start or install one/],
    ['Docker socket permission denied', DOCKER_SOCKET_DENIED, /: permission denied on the Docker socket/],
    ['Podman not running', PODMAN_DOWN, /: Podman is not running/],
  ] as const) {
    it(`FAKE kind: ${title} → "kind needs a running container engine"`, async () => {
      const kind = failingKind(stderr);
      await assert.rejects(createKindCluster({ kindCommand: kind.path, name: 'demo', timeoutMs: 10_000 }), (error: unknown) => {
        isKindError('engineUnavailable', /^kind needs a running container engine \(Docker or Podman\)/)(error);
        assert.match((error as Error).message.split('\n')[0] ?? '', phrase);
        return true;
      });
    });
  }

  it("FAKE kind: any other failure → kind's ERROR line first, its last lines after", async () => {
    const kind = failingKind(KUBEADM_FAILED);
    await assert.rejects(createKindCluster({ kindCommand: kind.path, name: 'demo', timeoutMs: 10_000 }), (error: unknown) => {
      isKindError('failed', /^kind could not create cluster "demo": failed to create cluster: failed to init node with kubeadm: command "docker exec/)(error);
      const message = (error as Error).message;
      assert.match(message, /\n\$ .*kind create cluster --name demo --wait 60s \(exit 1\)\n/);
      assert.match(message, /✗ Starting control-plane/);
      return true;
    });
  });

  it('a config file that does not exist is refused before kind runs', async () => {
    const kind = fakeKind('exit 0');
    const configFile = join(kind.dir, 'missing-kind-config.yaml');
    await assert.rejects(
      createKindCluster({ kindCommand: kind.path, name: 'demo', configFile, timeoutMs: 10_000 }),
      isKindError('configMissing', /^The kind config file .*missing-kind-config\.yaml does not exist/),
    );
    await assert.rejects(
      createKindCluster({ kindCommand: kind.path, name: 'demo', configFile: kind.dir, timeoutMs: 10_000 }),
      isKindError('configMissing', /does not exist/),
      'a folder is not a config file',
    );
    assert.deepEqual(kind.calls(), []);
  });

  it('an invalid name or image is refused before kind runs', async () => {
    const kind = fakeKind('exit 0');
    await assert.rejects(createKindCluster({ kindCommand: kind.path, name: 'My_Cluster', timeoutMs: 10_000 }), isKindError('invalidInput', /lowercase letters/));
    await assert.rejects(createKindCluster({ kindCommand: kind.path, name: 'demo', nodeImage: '--retain', timeoutMs: 10_000 }), isKindError('invalidInput', /cannot start with "-"/));
    assert.deepEqual(kind.calls(), []);
  });

  /** A FAKE kind whose create hangs (as a slow image pull does) and whose delete succeeds. */
  function hangingKind(): FakeKind & { pid(): number | undefined } {
    const pidFile = join(scratch, `hanging-${fakeCount + 1}.pid`);
    const kind = fakeKind(`case "$1" in
  create)
    echo 'Creating cluster "demo" ...' >&2
    echo ' • Ensuring node image (kindest/node:v1.33.1) 🖼  ...' >&2
    echo $$ > '${pidFile}'
    exec sleep 30 ;;
  delete)
    echo 'Deleting cluster "demo" ...' >&2
    echo 'Deleted nodes: ["demo-control-plane"]' >&2 ;;
esac`);
    return { ...kind, pid: () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined) };
  }

  async function waitFor<T>(probe: () => T | undefined, timeoutMs = 5_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  function isGone(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }

  it('FAKE kind: cancel stops kind, removes the half-made cluster, and says so', async () => {
    const kind = hangingKind();
    const kubeconfig = join(kind.dir, 'kubeconfig');
    const controller = new AbortController();
    const lines: string[] = [];
    const started = Date.now();
    const creating = createKindCluster({
      kindCommand: kind.path, name: 'demo', kubeconfigPath: kubeconfig, signal: controller.signal, timeoutMs: 60_000,
      cleanUpIfStopped: true, onLine: (line) => lines.push(line),
    });
    const pid = await waitFor(kind.pid);
    controller.abort();
    await assert.rejects(creating, isKindError('cancelled', /^Creating kind cluster "demo" was cancelled; the nodes it had made were removed\.$/));
    assert.ok(Date.now() - started < 10_000, 'cancel ends the wait promptly');
    assert.ok(isGone(pid), `the FAKE kind process ${pid} is gone`);
    assert.deepEqual(kind.calls(), [
      ['create', 'cluster', '--name', 'demo', '--kubeconfig', kubeconfig, '--wait', '60s'],
      ['delete', 'cluster', '--name', 'demo', '--kubeconfig', kubeconfig],
    ]);
    assert.ok(lines.includes('Deleted nodes: ["demo-control-plane"]'), 'the clean-up is streamed too');
  });

  it('FAKE kind: cancel without clean-up runs no delete and names the command to finish by hand', async () => {
    const kind = hangingKind();
    const controller = new AbortController();
    const creating = createKindCluster({ kindCommand: kind.path, name: 'demo', signal: controller.signal, timeoutMs: 60_000 });
    const pid = await waitFor(kind.pid);
    controller.abort();
    await assert.rejects(creating, isKindError('cancelled', /^Creating kind cluster "demo" was cancelled; it may have left nodes behind — run "kind delete cluster --name demo" to remove them\.$/));
    assert.ok(isGone(pid));
    assert.equal(kind.calls().length, 1, 'no delete ran');
  });

  it('FAKE kind: a create past its time limit is stopped and cleaned up', async () => {
    const kind = hangingKind();
    await assert.rejects(
      createKindCluster({ kindCommand: kind.path, name: 'demo', timeoutMs: 500, cleanUpIfStopped: true }),
      isKindError('timeout', /^Creating kind cluster "demo" took too long and was stopped; the nodes it had made were removed\.$/),
    );
    assert.deepEqual(kind.calls().map((call) => call[0]), ['create', 'delete']);
  });

  it('cancelled before it starts: kind never runs, not even to clean up', async () => {
    const kind = fakeKind('exit 0');
    await assert.rejects(
      createKindCluster({ kindCommand: kind.path, name: 'demo', signal: AbortSignal.abort(), timeoutMs: 10_000, cleanUpIfStopped: true }),
      isKindError('cancelled', /^Creating kind cluster "demo" was cancelled\.$/),
    );
    assert.deepEqual(kind.calls(), []);
  });
});

describe('deleteKindCluster', { skip: !posix && 'the FAKE kind programs are POSIX shell scripts' }, () => {
  it('FAKE kind: runs kind delete cluster with the name and kubeconfig, streaming its output', async () => {
    // pkg/cmd/kind/delete/cluster/deletecluster.go logs "Deleting cluster %q ...".
    const kind = fakeKind(`echo 'Deleting cluster "demo" ...' >&2\necho 'Deleted nodes: ["demo-control-plane"]' >&2`);
    const kubeconfig = join(kind.dir, 'kubeconfig');
    const lines: string[] = [];
    await deleteKindCluster({ kindCommand: kind.path, name: 'demo', kubeconfigPath: kubeconfig, onLine: (line) => lines.push(line), timeoutMs: 10_000 });
    await deleteKindCluster({ kindCommand: kind.path, name: 'demo', timeoutMs: 10_000 });
    assert.deepEqual(kind.calls(), [
      ['delete', 'cluster', '--name', 'demo', '--kubeconfig', kubeconfig],
      ['delete', 'cluster', '--name', 'demo'],
    ]);
    assert.deepEqual(lines, ['Deleting cluster "demo" ...', 'Deleted nodes: ["demo-control-plane"]']);
  });

  it('FAKE kind: no docker binary → the container-engine message', async () => {
    // deletecluster.go wraps "failed to delete cluster %q"; the provider's ListNodes "failed to list nodes".
    const kind = failingKind(`Deleting cluster "demo" ...
ERROR: failed to delete cluster "demo": failed to list nodes: command "docker ps -a --filter label=io.x-k8s.kind.cluster=demo --format '{{.Names}}'" failed with error: exec: "docker": executable file not found in $PATH`);
    await assert.rejects(
      deleteKindCluster({ kindCommand: kind.path, name: 'demo', timeoutMs: 10_000 }),
      isKindError('engineUnavailable', /^kind needs a running container engine \(Docker or Podman\): "docker" is not installed/),
    );
  });

  it('missing kind → the install hint', async () => {
    await assert.rejects(
      deleteKindCluster({ kindCommand: join(scratch, 'nowhere', 'kind'), name: 'demo', timeoutMs: 10_000 }),
      isKindError('kindMissing', /vcluster\.kindPath/),
    );
  });
});
