import { createServer, type Server, type Socket } from 'node:net';
import { PortForward, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../process/log';

/**
 * A port-forward held in the extension's own process (no kubectl child to lose track of): a
 * listener on 127.0.0.1 only, and for each connection one port-forward stream through the API
 * server to the pod, as `kubectl port-forward` opens one per connection.
 */
export interface PortForwardOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  pod: string;
  remotePort: number;
  /** Ports to try first, as the vcluster CLI picks a random free one in 10000-12999. */
  preferredRange?: readonly [number, number];
  logger: Logger;
}

export class PortForwardSession {
  private readonly sockets = new Set<Socket>();
  private closed = false;

  private constructor(private readonly server: Server, readonly localPort: number, private readonly options: PortForwardOptions) {
    server.on('connection', (socket) => this.forward(socket));
  }

  static async start(options: PortForwardOptions): Promise<PortForwardSession> {
    const server = createServer();
    const [low, high] = options.preferredRange ?? [10000, 12999];
    const candidates = Array.from({ length: 20 }, () => low + Math.floor(Math.random() * (high - low + 1)));
    for (const port of [...candidates, 0]) {
      const bound = await new Promise<number | undefined>((resolve) => {
        const onError = () => resolve(undefined);
        server.once('error', onError);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', onError);
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : undefined);
        });
      });
      if (bound !== undefined) return new PortForwardSession(server, bound, options);
    }
    throw new Error('no free local port for the port-forward');
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private forward(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    const { kubeConfig, namespace, pod, remotePort, logger } = this.options;
    new PortForward(kubeConfig, true)
      .portForward(namespace, pod, [remotePort], socket, null, socket)
      .then((connection) => {
        const ws = typeof connection === 'function' ? connection() : connection;
        socket.once('close', () => ws?.close());
        ws?.on('close', () => socket.destroy());
      })
      .catch((error: unknown) => {
        logger.warn(`[port-forward] ${namespace}/${pod}:${remotePort}: ${(error as Error).message}`);
        socket.destroy();
      });
  }

  close(): Promise<void> {
    this.closed = true;
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
