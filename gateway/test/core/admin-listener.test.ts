// --admin-host: the admin port (health, readiness, /metrics naming keys and spend) listens only
// where it is told, apart from --host. Standalone it stays on loopback even when the public port
// listens on every address; given a list, it listens on each address on one port.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, keyObjects, mockBackend, routeObject, testKey } from './core-fixtures.js';

const manifests = {
  'all.yaml': documents(
    ...keyObjects({ name: 'k', key: testKey('adminhost') }),
    routeObject({ name: 'echo', backends: [mockBackend('m')] }),
  ),
};

// Linux routes all of 127.0.0.0/8 to loopback, so a second address needs no setup.
const OTHER_LOOPBACK = '127.0.0.2';

/** GET `path`; the status, or the connection error's code (ECONNREFUSED when nothing listens there). */
function probe(host: string, port: number, path: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, agent: false, timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

describe('admin listener address (--admin-host)', () => {
  let gateway: GatewayProcess | undefined;
  afterEach(async () => {
    await gateway?.stop();
    gateway = undefined;
  });

  it('keeps the admin port on loopback by default while the public port listens on every address', async () => {
    gateway = await startGateway({ manifests, args: ['--host', '0.0.0.0'] });
    const port = portOf(gateway.url);
    const adminPort = portOf(gateway.adminUrl);
    // The public port answers on another address...
    expect(await probe(OTHER_LOOPBACK, port, '/healthz')).toBe(200);
    // ...the admin port does not: nothing listens there.
    expect(await probe(OTHER_LOOPBACK, adminPort, '/metrics')).toBe('ECONNREFUSED');
    expect(await probe('127.0.0.1', adminPort, '/metrics')).toBe(200);
    expect(gateway.logs()).toMatch(/"msg":"listening".*"adminHosts":\["127\.0\.0\.1"\]/);
  });

  it('listens only on the given address when it differs from --host, and /metrics stays off the public port', async () => {
    gateway = await startGateway({ manifests, args: ['--admin-host', OTHER_LOOPBACK] });
    const port = portOf(gateway.url);
    const adminPort = portOf(gateway.adminUrl);
    expect(await probe(OTHER_LOOPBACK, adminPort, '/metrics')).toBe(200);
    expect(await probe(OTHER_LOOPBACK, adminPort, '/healthz')).toBe(200);
    expect(await probe('127.0.0.1', adminPort, '/metrics')).toBe('ECONNREFUSED');
    expect(await probe('127.0.0.1', port, '/metrics')).toBe(404);
  });

  it('listens on every address of a list, on one port (the chart passes the pod IP and loopback)', async () => {
    gateway = await startGateway({ manifests, args: ['--admin-host', `${OTHER_LOOPBACK},127.0.0.1`] });
    const adminPort = portOf(gateway.adminUrl);
    expect(await probe(OTHER_LOOPBACK, adminPort, '/metrics')).toBe(200);
    expect(await probe('127.0.0.1', adminPort, '/metrics')).toBe(200);
  });
});
