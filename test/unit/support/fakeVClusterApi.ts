import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { RawObject } from '../../../src/kube/watch';

/**
 * A FAKE API server on 127.0.0.1 serving the four collections discovery watches (StatefulSets,
 * Deployments, pods, and Secrets: whole, or metadata only when the Accept header asks for
 * PartialObjectMetadata), from memory, with lists and long-lived watch streams. It lets the unit
 * tier change a host on demand (a pause annotation, a burst of pod updates, a sleep mark on a
 * Secret), forbid listing all namespaces, go away and come back on the same port, and count every
 * LIST and WATCH it was asked. The real API server is the E2E's and the bench's.
 */

export type Collection = 'statefulsets' | 'deployments' | 'pods' | 'secrets';

export interface RecordedRequest {
  verb: 'LIST' | 'WATCH';
  collection: Collection;
  /** The namespace of a namespaced path; undefined for all namespaces. */
  namespace: string | undefined;
  accept: string | undefined;
}

interface OpenWatch {
  collection: Collection;
  namespace: string | undefined;
  response: ServerResponse;
  metadataOnly: boolean;
}

const PATH = /^\/(?:api\/v1|apis\/apps\/v1)(?:\/namespaces\/([^/]+))?\/(statefulsets|deployments|pods|secrets)$/;

export class FakeVClusterApi {
  readonly requests: RecordedRequest[] = [];
  /** Refuse (403) what asks for all namespaces, as RBAC limited to one namespace does. */
  forbidAllNamespaces = false;
  /** Refuse (403) Secrets: in all namespaces only, or everywhere (RBAC without Secrets, like the built-in view role). */
  forbidSecrets: 'allNamespaces' | 'everywhere' | undefined;
  /** Refuse (406) metadata-only requests, as a server without PartialObjectMetadata would. */
  refuseMetadataOnly = false;
  private readonly objects = new Map<Collection, Map<string, RawObject>>([['statefulsets', new Map()], ['deployments', new Map()], ['pods', new Map()], ['secrets', new Map()]]);
  private readonly watches = new Set<OpenWatch>();
  /** Every change, for watches that start from an earlier version (as etcd keeps them). */
  private readonly history: Array<{ collection: Collection; type: string; object: RawObject; version: number }> = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private version = 1;
  port = 0;

  async start(port = 0): Promise<void> {
    const server = createServer((request, response) => this.handle(request, response));
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
  }

  /** Goes away at once: open watches are cut, new connections refused. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.watches.clear();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Watch streams open now. */
  get openWatches(): number {
    return this.watches.size;
  }

  count(verb: RecordedRequest['verb']): number {
    return this.requests.filter((request) => request.verb === verb).length;
  }

  /** Adds or replaces an object (by namespace and name); open watches get ADDED or MODIFIED. */
  put(collection: Collection, object: RawObject): void {
    const stored = { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.version) } };
    const key = keyOf(stored);
    const type = this.objects.get(collection)!.has(key) ? 'MODIFIED' : 'ADDED';
    this.objects.get(collection)!.set(key, stored);
    this.send(collection, type, stored);
  }

  remove(collection: Collection, object: RawObject): void {
    const key = keyOf(object);
    const stored = this.objects.get(collection)!.get(key);
    if (!stored) return;
    this.objects.get(collection)!.delete(key);
    this.send(collection, 'DELETED', { ...stored, metadata: { ...stored.metadata, resourceVersion: String(++this.version) } });
  }

  private send(collection: Collection, type: string, object: RawObject): void {
    this.history.push({ collection, type, object, version: this.version });
    for (const watch of this.watches) this.deliver(watch, collection, type, object);
  }

  private deliver(watch: OpenWatch, collection: Collection, type: string, object: RawObject): void {
    if (watch.collection !== collection || (watch.namespace && watch.namespace !== object.metadata?.namespace)) return;
    watch.response.write(`${JSON.stringify({ type, object: watch.metadataOnly ? asPartialMetadata(object) : object })}\n`);
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const match = PATH.exec(url.pathname);
    if (!match) {
      response.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ kind: 'Status', code: 404, message: `${url.pathname} not found` }));
      return;
    }
    const namespace = match[1] ? decodeURIComponent(match[1]) : undefined;
    const collection = match[2] as Collection;
    const verb = url.searchParams.get('watch') === '1' ? 'WATCH' : 'LIST';
    const accept = request.headers.accept;
    this.requests.push({ verb, collection, namespace, accept });
    const forbidden = (this.forbidAllNamespaces && namespace === undefined)
      || (collection === 'secrets' && (this.forbidSecrets === 'everywhere' || (this.forbidSecrets === 'allNamespaces' && namespace === undefined)));
    if (forbidden) {
      response.writeHead(403, { 'Content-Type': 'application/json' }).end(JSON.stringify({
        kind: 'Status', code: 403, reason: 'Forbidden',
        message: `${collection} is forbidden: User "me" cannot ${verb.toLowerCase()} resource "${collection}" ${namespace === undefined ? 'at the cluster scope' : `in the namespace "${namespace}"`}`,
      }));
      return;
    }
    // The API server's content negotiation: the first offered type it can serve. Plain JSON is whole objects.
    const metadataOnly = (accept ?? '').split(',')[0]!.includes('as=PartialObjectMetadata');
    if (metadataOnly && this.refuseMetadataOnly && !(accept ?? '').split(',').includes('application/json')) {
      response.writeHead(406, { 'Content-Type': 'application/json' }).end(JSON.stringify({ kind: 'Status', code: 406, message: 'only the following media types are accepted: application/json' }));
      return;
    }
    const serveMetadataOnly = metadataOnly && !this.refuseMetadataOnly;
    if (verb === 'LIST') {
      const items = [...this.objects.get(collection)!.values()].filter((object) => !namespace || object.metadata?.namespace === namespace);
      const body = serveMetadataOnly
        ? { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: String(this.version) }, items: items.map(asPartialMetadata) }
        : { kind: 'List', metadata: { resourceVersion: String(this.version) }, items };
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    response.flushHeaders();
    const watch: OpenWatch = { collection, namespace, response, metadataOnly: serveMetadataOnly };
    const from = Number(url.searchParams.get('resourceVersion') ?? this.version);
    if (from > this.version) {
      // A version this server never gave (it started afresh): too old to go on from, as 410 says.
      response.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: `too old resource version: ${from} (${this.version})` } })}\n`);
      return;
    }
    for (const change of this.history) if (change.version > from) this.deliver(watch, change.collection, change.type, change.object);
    this.watches.add(watch);
    response.on('close', () => this.watches.delete(watch));
  }
}

/** What the API server sends for metadata only: the object's metadata, nothing of its spec, status or data. */
function asPartialMetadata(object: RawObject): RawObject {
  return { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: object.metadata };
}

function keyOf(object: RawObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}
