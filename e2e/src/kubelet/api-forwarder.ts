// The API server listens on 127.0.0.1 only, which a pod's network namespace cannot reach. This
// forwards the bridge address (10.244.0.1:<port>) to it byte for byte: TLS stays end to end.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpForwarder {
  address: string;
  port: number;
  close(): Promise<void>;
}

export async function startTcpForwarder(listenAddress: string, listenPort: number, targetPort: number): Promise<TcpForwarder> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => {
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, listenAddress, () => resolve());
  });
  return {
    address: listenAddress,
    port: listenPort,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
