// The host API server listens on 127.0.0.1 only, which a pod's network namespace cannot reach (it
// has a loopback of its own). A plain TCP relay on the bridge's gateway address, same port, carries
// the pods' connections to it: TLS goes end to end, the relay sees bytes only. The gateway exists
// only on the local bridge, so nothing listens beyond this machine.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface HostApiProxy {
  close(): Promise<void>;
}

export async function startHostApiProxy(gateway: string, port: number, log: (line: string) => void): Promise<HostApiProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, gateway, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => log(`host API relay on ${gateway}:${port}: ${error.message}`));
  return {
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
