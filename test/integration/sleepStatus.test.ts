// "Sleeping (workloads only)" against a real vCluster and the real CLI: created by the real CLI
// and chart, its syncer run by the node agent. The platform's sleep-mode agent, which puts only
// the workloads to sleep by marking Secret vc-config-NAME, cannot run here: the test writes that
// mark itself (FAKE, the annotation alone, as pkg/cli/pause_platform.go writes it), then compares
// what the extension's one-shot discovery, its watch and Describe say with what `vcluster list`
// and `vcluster describe` say of the same vCluster, and checks that no Secret data was asked for.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { KubeClient, kubeConfigForContext, type RequestBody } from '../../src/kube/client';
import { loadKubeconfig } from '../../src/kube/kubeconfig';
import { MemoryLogger } from '../../src/process/log';
import { describeText } from '../../src/vcluster/describe/describeText';
import { describeVCluster } from '../../src/vcluster/describe/describeVCluster';
import { discoverVClusters } from '../../src/vcluster/discovery/discoverVClusters';
import { HostWatch } from '../../src/vcluster/discovery/hostWatch';
import { ensureVClusterBinaries, type VClusterBinaries } from '../env/vclusterBinaries';
import { removeVCluster, upVCluster, vclusterCli, type LocalVCluster } from '../env/vclusterFixture';
import { testHost, waitFor } from './support/host';

const NAME = 'sleepy';
const NAMESPACE = `vcluster-sleepy-${process.pid}`;
const SLEEPING = 'Sleeping (workloads only)';
/** How soon the watch must report a change to the config Secret (events arrive in milliseconds; this machine is shared). */
const WATCH_BOUND_MS = 5_000;
const METADATA_ONLY_ACCEPT = /^application\/json;as=PartialObjectMetadata(List)?;g=meta\.k8s\.io;v=v1$/;

/** Every request our code makes for Secrets: its path, the Accept it sent, and the kind the server answered (lists). */
interface SecretRequest {
  path: string;
  accept: string | undefined;
  answeredKind?: string;
}

/** The extension's client, recording what it asks for Secrets (the watch's streams included). */
class RecordingClient extends KubeClient {
  readonly secretRequests: SecretRequest[] = [];

  override async request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, options: RequestBody, signal: AbortSignal): Promise<T> {
    const record: SecretRequest | undefined = isSecrets(path) ? { path, accept: options.accept } : undefined;
    if (record) this.secretRequests.push(record);
    const answer = await super.request<T>(method, path, options, signal);
    if (record) record.answeredKind = (answer as { kind?: string } | undefined)?.kind;
    return answer;
  }

  override openStream(path: string, options: { query?: Record<string, string | undefined>; accept?: string }, signal: AbortSignal): Promise<IncomingMessage> {
    if (isSecrets(path)) this.secretRequests.push({ path: `${path} (watch)`, accept: options.accept });
    return super.openStream(path, options, signal);
  }
}

function isSecrets(path: string): boolean {
  return /\/secrets(\/|$)/.test(path);
}

/** What `vcluster list --output json` prints per vCluster. */
interface CliListEntry {
  Name: string;
  Namespace: string;
  Status: string;
}

describe('"Sleeping (workloads only)" against a real vCluster and the real CLI', () => {
  let binaries: VClusterBinaries;
  let vcluster: LocalVCluster | undefined;
  let admin: KubeClient;
  let client: RecordingClient;
  let hostContext: string;
  let watch: HostWatch | undefined;
  const logger = new MemoryLogger();
  const secretPath = `/api/v1/namespaces/${NAMESPACE}/secrets/vc-config-${NAME}`;
  const ref = () => ({ hostContext, namespace: NAMESPACE, name: NAME });

  before(async () => {
    binaries = await ensureVClusterBinaries();
    vcluster = await upVCluster({ cluster: testHost(), vcluster: binaries, name: NAME, namespace: NAMESPACE });
    const loaded = await loadKubeconfig([testHost().kubeconfig]);
    assert.equal(loaded.state, 'ok');
    if (loaded.state !== 'ok') return;
    hostContext = loaded.contexts[0]!.name;
    admin = new KubeClient(kubeConfigForContext(loaded.document, hostContext));
    client = new RecordingClient(kubeConfigForContext(loaded.document, hostContext));
  });

  after(async () => {
    watch?.dispose();
    if (vcluster && process.exitCode) console.log(`syncer log (last lines):\n${vcluster.syncer.logTail(40)}\nwatch log:\n${logger.lines.join('\n')}`);
    await removeVCluster(testHost(), NAMESPACE, NAME);
  });

  /** FAKE: what the platform's sleep-mode agent does to the config Secret (the test's own admin client, not the extension's). */
  async function markSleeping(sleeping: boolean): Promise<void> {
    const annotations = sleeping
      ? { 'sleepmode.loft.sh/sleep-type': 'forcedSleep', 'sleepmode.loft.sh/sleeping-since': String(Math.floor(Date.now() / 1000)) }
      : { 'sleepmode.loft.sh/sleep-type': null, 'sleepmode.loft.sh/sleeping-since': null };
    await admin.request('PATCH', secretPath, { body: { metadata: { annotations } } }, AbortSignal.timeout(10_000));
  }

  async function discoveredStatus(): Promise<string | undefined> {
    const result = await discoverVClusters({ client, hostContext, contextNamespace: undefined, signal: AbortSignal.timeout(10_000) });
    return result.vclusters.find((candidate) => candidate.name === NAME && candidate.namespace === NAMESPACE)?.status;
  }

  function watchedStatus(): string | undefined {
    const state = watch?.state;
    return state?.state === 'ok' ? state.result.vclusters.find((candidate) => candidate.name === NAME && candidate.namespace === NAMESPACE)?.status : undefined;
  }

  /** Resolves with the milliseconds until the watch says `status`; fails past `boundMs`. */
  function watchSays(status: string, boundMs: number): Promise<number> {
    const started = Date.now();
    return waitFor(`the watch to say ${status} (it says ${watchedStatus()})`, boundMs, async () => (watchedStatus() === status ? Date.now() - started : undefined), 20);
  }

  async function cliRun(args: string[]): Promise<string> {
    const cli = vclusterCli(binaries, testHost().kubeconfig);
    try {
      return (await cli.run(args, 120_000)).stdout;
    } finally {
      cli.dispose();
    }
  }

  async function cliListStatus(): Promise<string | undefined> {
    const entries = JSON.parse(await cliRun(['list', '--output', 'json'])) as CliListEntry[] | null;
    return (entries ?? []).find((entry) => entry.Name === NAME && entry.Namespace === NAMESPACE)?.Status;
  }

  async function cliDescribeStatus(): Promise<string | undefined> {
    return (JSON.parse(await cliRun(['describe', NAME, '--namespace', NAMESPACE, '--output', 'json'])) as { status?: string }).status;
  }

  it('Running first, for the CLI, the one-shot discovery and the watch alike', async () => {
    await waitFor('the vCluster to be Running for the CLI and the extension', 180_000, async () => ((await cliListStatus()) === 'Running' && (await discoveredStatus()) === 'Running' ? true : undefined), 1_000);
    watch = new HostWatch({ client, hostContext, contextNamespace: undefined, logger, requestTimeoutMs: 10_000 });
    watch.start();
    await watchSays('Running', 30_000);
  });

  it('FAKE sleep-mode mark on vc-config: "Sleeping (workloads only)" from the watch within the bound, the one-shot discovery and Describe, as vcluster list and describe say; the mark removed, Running again for all', async () => {
    await markSleeping(true);
    const sleptAfterMs = await watchSays(SLEEPING, WATCH_BOUND_MS);
    assert.equal(await discoveredStatus(), SLEEPING);
    assert.equal(await cliListStatus(), SLEEPING, 'the real CLI reads the same mark the same way');
    // Describe reads the config and the helm release in full (that is what it shows): its own client.
    const description = await describeVCluster({ client: admin, vcluster: ref(), signal: AbortSignal.timeout(30_000) });
    assert.equal(description.status, await cliDescribeStatus());
    assert.equal(description.status, SLEEPING);
    const text = describeText(description);
    assert.match(text, /^ {2}Sleep type: +forcedSleep \(put to sleep on request\)$/m);
    assert.match(text, /^ {2}Sleeping since: +\w{3}, \d\d \w{3} \d{4} /m);
    const watched = watch!.state.state === 'ok' ? watch!.state.result.vclusters.find((candidate) => candidate.name === NAME) : undefined;
    assert.equal(watched?.sleep?.['sleepmode.loft.sh/sleep-type'], 'forcedSleep');

    await markSleeping(false);
    const wokeAfterMs = await watchSays('Running', WATCH_BOUND_MS);
    assert.equal(await discoveredStatus(), 'Running');
    assert.equal(await cliListStatus(), 'Running');
    assert.equal(watchedStatus(), 'Running');
    console.log(`the watch saw the mark after ${sleptAfterMs} ms and its removal after ${wokeAfterMs} ms`);
  });

  it('no Secret data was asked for by discovery or the watch: metadata only, and the server answered so', () => {
    const requests = client.secretRequests;
    assert.ok(requests.some((request) => request.path.endsWith('(watch)')), 'the watch asked for Secrets');
    assert.ok(requests.filter((request) => !request.path.endsWith('(watch)')).length >= 3, 'lists: the one-shot discoveries and the watch\'s first list');
    for (const request of requests) {
      assert.match(request.accept ?? '', METADATA_ONLY_ACCEPT, `${request.path} asked for metadata only, with nothing else offered`);
      if (request.answeredKind !== undefined) assert.equal(request.answeredKind, 'PartialObjectMetadataList', `${request.path}: the real server sent metadata only`);
    }
    assert.ok(requests.every((request) => !request.path.startsWith(secretPath)), 'no Secret was read by name');
    const held = JSON.stringify(watch!.state);
    assert.doesNotMatch(held, /config\.yaml|"data"/, 'the watch holds no Secret data');
  });

  it('Paused wins over the mark, as in the CLI: paused and resumed by the real CLI while the FAKE mark is on', async () => {
    await markSleeping(true);
    await watchSays(SLEEPING, WATCH_BOUND_MS);
    await cliRun(['pause', NAME, '--namespace', NAMESPACE]);
    await watchSays('Paused', WATCH_BOUND_MS);
    assert.equal(await discoveredStatus(), 'Paused');
    assert.equal(await cliListStatus(), 'Paused');

    await cliRun(['resume', NAME, '--namespace', NAMESPACE]);
    // The mark is read before any pod: Sleeping at once, whatever the pods are doing.
    await watchSays(SLEEPING, WATCH_BOUND_MS);
    assert.equal(await discoveredStatus(), SLEEPING);
    assert.equal(await cliListStatus(), SLEEPING);

    await markSleeping(false);
    await waitFor('the vCluster Running again for the CLI, the one-shot discovery and the watch', 180_000, async () => (
      (await cliListStatus()) === 'Running' && (await discoveredStatus()) === 'Running' && watchedStatus() === 'Running' ? true : undefined), 1_000);
  });
});
