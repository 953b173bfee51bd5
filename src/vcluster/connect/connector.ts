import { EventEmitter } from 'node:events';
import type { KubeClient } from '../../kube/client';
import { describeKubeError } from '../../kube/errors';
import type { KubeconfigDocument } from '../../kube/kubeconfig';
import type { PortForwardSession } from '../../kube/portForward';
import type { Logger } from '../../process/log';
import type { CoreBundle } from '../../coreBundle';
import { connectionKubeconfig, ConnectError, storedConnection, vclusterContextName, type ConnectionsKubeconfig } from './connectionsKubeconfig';
import type { OperationTracker } from '../lifecycle/operationTracker';
import type { VClusterRef } from '../identity';
import { listControlPlanePods } from '../discovery/controlPlanePods';

/**
 * `vcluster connect` and `disconnect` for the extension: contexts in the extension's own
 * kubeconfig, port-forwards held in this process. The seam the per-workspace context builds on:
 * connect returns the context name, `connectionsFile` is where it lives.
 */

export interface Connection {
  context: string;
  server: string;
  /** How the server was chosen. */
  via: 'given' | 'setting' | 'loadBalancer' | 'nodePort' | 'portForward';
}

interface ServiceObject {
  spec?: { type?: string; ports?: Array<{ port?: number; nodePort?: number; name?: string }> };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}
export interface ConnectorOptions {
  loadCoreBundle: () => Promise<CoreBundle>;
  /** The merged kubeconfig now, and the files it came from. */
  kubeconfig: () => { document: KubeconfigDocument; paths: readonly string[] } | undefined;
  /** A client for a host context of the loaded kubeconfig (HostClients). */
  hostClient: (hostContext: string) => Promise<KubeClient>;
  /** Shared with the lifecycle, so connect never overlaps a create, pause or delete. */
  tracker: OperationTracker;
  /** The extension's own kubeconfig, where connected vClusters' contexts live. */
  connections: ConnectionsKubeconfig;
  /** Server URLs set by the user, keyed "namespace/name" or "hostContext/namespace/name". */
  connectServers: () => Record<string, string>;
  logger: Logger;
  requestTimeoutMs: () => number;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export class VClusterConnector {
  private readonly forwards = new Map<string, PortForwardSession>();
  private readonly events = new EventEmitter();
  private connected = new Set<string>();
  private storedConnectionsCleaned = false;

  private readonly tracker: OperationTracker;
  private readonly hostClient: (hostContext: string) => Promise<KubeClient>;
  constructor(private readonly options: ConnectorOptions) {
    this.tracker = options.tracker;
    this.hostClient = options.hostClient;
  }

  /** Fires when a vCluster was connected or disconnected. */
  onDidChangeConnections(listener: () => void): { dispose(): void } {
    this.events.on('connections', listener);
    return { dispose: () => this.events.off('connections', listener) };
  }

  isConnected(ref: VClusterRef): boolean {
    return this.connected.has(vclusterContextName(ref));
  }

  /** Rereads the extension's kubeconfig (at start, and when another window may have changed it). */
  async loadConnections(): Promise<void> {
    try {
      // Once, at the first read: connections an earlier version stored whole (an exec plugin from
      // a Secret included) are cut down to what a connection holds now. Every client is made
      // through the same keep-list anyway (storedConnection in virtualClient).
      if (!this.storedConnectionsCleaned) {
        this.storedConnectionsCleaned = true;
        for (const [context, ignored] of await this.options.connections.removeUntrustedFields()) {
          this.options.logger.warn(`[connect] ${context}: removed from the stored connection: ${ignored.join(', ')} (kept from a Secret by an earlier version; a connection holds only certificates and a token)`);
        }
      }
      this.connected = new Set(await this.options.connections.contextNames());
    } catch (error) {
      this.options.logger.warn(`[connect] ${(error as Error).message}`);
      this.connected = new Set();
    }
    this.events.emit('connections');
  }

  /**
   * A client for the virtual cluster when it is connected (its context in the extension's
   * kubeconfig); undefined otherwise. A context whose port-forward has ended answers nothing:
   * callers treat the virtual cluster as unreachable then.
   */
  async virtualClient(ref: VClusterRef): Promise<KubeClient | undefined> {
    const context = vclusterContextName(ref);
    if (!this.connected.has(context)) return undefined;
    const document = await this.options.connections.read().catch(() => undefined);
    if (!document) return undefined;
    const core = await this.options.loadCoreBundle();
    try {
      const stored = storedConnection(document, context);
      if (!stored) return undefined;
      return new core.KubeClient(core.kubeConfigForContext(stored.kubeconfig, context));
    } catch (error) {
      this.options.logger.warn(`[connect] ${context}: ${(error as Error).message}`);
      return undefined;
    }
  }

  /**
   * Whether the vCluster's context answers now (GET /version, bounded): false when it is not
   * connected, or its port-forward ended with the window that made it, or the port now belongs
   * to something else. Reconnect then.
   */
  async answers(ref: VClusterRef, timeoutMs = 3000): Promise<boolean> {
    const client = await this.virtualClient(ref);
    if (!client) return false;
    try {
      await client.getJson('/version', {}, AbortSignal.timeout(timeoutMs));
      return true;
    } catch {
      return false;
    }
  }

  get connectionsFile(): string {
    return this.options.connections.path;
  }

  /**
   * `vcluster connect`, minus the switch of the user's current context: the server is the one
   * given, else the setting, else the LoadBalancer, else a NodePort on a local host, else an
   * in-process port-forward to the vCluster pod. The context is checked before it is kept.
   */
  async connect(ref: VClusterRef, options: { server?: string; signal?: AbortSignal } = {}): Promise<Connection> {
    return this.tracker.run(ref, 'connect', async () => {
      const core = await this.options.loadCoreBundle();
      const client = await this.hostClient(ref.hostContext);
      const signal = AbortSignal.any([options.signal ?? new AbortController().signal, AbortSignal.timeout(this.options.requestTimeoutMs() * 3)]);
      const virtual = await core.readVirtualKubeconfig(client, ref, signal);
      const context = vclusterContextName(ref);
      await this.stopForward(context);
      let connection = await this.chooseServer(client, ref, options.server, signal);
      if (!connection) {
        const session = await this.startForward(core, ref, virtual, signal);
        this.forwards.set(context, session);
        connection = { context, server: `https://127.0.0.1:${session.localPort}`, via: 'portForward' };
      }
      const { kubeconfig: entry, ignored } = connectionKubeconfig(virtual, context, connection.server);
      if (ignored.length > 0) {
        this.options.logger.warn(`[connect] ${ref.name}: left out of Secret vc-${ref.name}'s kubeconfig: ${ignored.join(', ')} (a vCluster's kubeconfig brings only certificates and a token; programs, files, proxies and TLS settings are never taken from a cluster)`);
      }
      try {
        await this.checkVirtualApi(core, entry, context);
      } catch (error) {
        await this.stopForward(context);
        throw new ConnectError(`vCluster ${ref.name} did not answer at ${connection.server} (${connection.via}): ${describeKubeError(error, 20).message}. If it is not reachable from this machine, set its server in vcluster.connectServers.`);
      }
      await this.options.connections.upsert(entry);
      this.connected.add(context);
      this.events.emit('connections');
      this.options.logger.info(`[connect] ${ref.name}: context ${context} → ${connection.server} (${connection.via}) in ${this.options.connections.path}`);
      return connection;
    });
  }

  /** After a delete: the forward stopped and the context dropped, outside the tracker (delete holds it). */
  async forget(ref: VClusterRef): Promise<void> {
    const context = vclusterContextName(ref);
    await this.stopForward(context);
    await this.options.connections.remove(context);
    if (this.connected.delete(context)) this.events.emit('connections');
  }

  async disconnect(ref: VClusterRef): Promise<boolean> {
    return this.tracker.run(ref, 'disconnect', async () => {
      const context = vclusterContextName(ref);
      await this.stopForward(context);
      const removed = await this.options.connections.remove(context);
      this.connected.delete(context);
      this.events.emit('connections');
      return removed;
    });
  }

  dispose(): void {
    for (const session of this.forwards.values()) void session.close();
    this.forwards.clear();
    this.events.removeAllListeners();
  }

  private async stopForward(context: string): Promise<void> {
    const session = this.forwards.get(context);
    this.forwards.delete(context);
    await session?.close();
  }

  private async chooseServer(client: KubeClient, ref: VClusterRef, given: string | undefined, signal: AbortSignal): Promise<Connection | undefined> {
    const context = vclusterContextName(ref);
    if (given) return { context, server: given, via: 'given' };
    const servers = this.options.connectServers();
    const configured = servers[`${ref.hostContext}/${ref.namespace}/${ref.name}`] ?? servers[`${ref.namespace}/${ref.name}`];
    if (configured) return { context, server: configured, via: 'setting' };
    const service = await client.getJson<ServiceObject>(`/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/services/${encodeURIComponent(ref.name)}`, {}, signal).catch(() => undefined);
    if (service?.spec?.type === 'LoadBalancer') {
      const ingress = service.status?.loadBalancer?.ingress?.[0];
      const address = ingress?.hostname || ingress?.ip;
      if (address) return { context, server: `https://${address}`, via: 'loadBalancer' };
    }
    if (service?.spec?.type === 'NodePort') {
      const hostServer = client.server;
      const nodePort = service.spec.ports?.find((port) => port.port === 443 || port.name === 'https')?.nodePort;
      if (nodePort && LOCAL_HOSTS.has(new URL(hostServer).hostname)) return { context, server: `https://127.0.0.1:${nodePort}`, via: 'nodePort' };
    }
    return undefined;
  }

  private async startForward(core: CoreBundle, ref: VClusterRef, virtual: KubeconfigDocument, signal: AbortSignal): Promise<PortForwardSession> {
    const client = await this.hostClient(ref.hostContext);
    const running = (await listControlPlanePods(client, ref, signal))
      .filter((pod) => pod.status?.phase === 'Running' && !pod.metadata?.deletionTimestamp)
      .sort((a, b) => (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? ''));
    const pod = running[0]?.metadata?.name;
    if (!pod) throw new ConnectError(`vCluster ${ref.name} has no running pod to forward to; resume or start it first.`);
    const remotePort = secretServerPort(virtual.clusters[0]?.cluster.server);
    const kubeconfig = this.options.kubeconfig();
    if (!kubeconfig) throw new Error('No kubeconfig is loaded.');
    return core.PortForwardSession.start({
      kubeConfig: core.kubeConfigForContext(kubeconfig.document, ref.hostContext),
      namespace: ref.namespace,
      pod,
      remotePort,
      logger: this.options.logger,
    });
  }

  private async checkVirtualApi(core: CoreBundle, entry: KubeconfigDocument, context: string): Promise<void> {
    const client = new core.KubeClient(core.kubeConfigForContext(entry, context));
    await client.getJson('/version', {}, AbortSignal.timeout(20_000));
  }

}

/** The port the vCluster's API listens on in its pod, from the server its Secret names (8443 when unclear). */
function secretServerPort(server: unknown): number {
  if (typeof server !== 'string' || !URL.canParse(server)) return 8443;
  const port = Number(new URL(server).port);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : 8443;
}
