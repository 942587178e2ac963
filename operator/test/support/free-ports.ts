import { createServer } from 'node:net';

/** Distinct ports the kernel reports free on 127.0.0.1 right now. */
export async function findFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    ports.add(
      await new Promise<number>((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
          const address = server.address();
          server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
        });
      }),
    );
  }
  return [...ports];
}
