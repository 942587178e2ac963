// An answer sent before the request body was read (401 before the body, 413 from the declared
// length) closes the connection instead of letting node:http read and discard the rest: a caller
// without a key must not be able to push an unbounded body through the gateway.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { pushRequestBody } from '../support/raw-http-client.js';
import { documents, HELLO, keyObjects, mockBackend, postJson, routeObject, testKey } from './core-fixtures.js';

const key = testKey('earlyclose');
const MIB = 1024 * 1024;
/** Far above what loopback socket buffers hold (a few MiB), far below the body-size cap. */
const BODY_BYTES = 48 * MIB;
const CAP_BYTES = 64 * MIB;

describe('early errors close the connection', () => {
  let gateway: GatewayProcess;
  let port: number;

  beforeAll(async () => {
    gateway = await startGateway({
      manifests: { 'all.yaml': documents(...keyObjects({ name: 'k', key }), routeObject({ name: 'echo', backends: [mockBackend('m')] })) },
      args: ['--max-body-bytes', String(CAP_BYTES)],
    });
    port = Number(new URL(gateway.url).port);
  });
  afterAll(async () => gateway?.stop());

  function head(authorization: string, contentLength: number): string {
    return [
      'POST /v1/chat/completions HTTP/1.1',
      'host: gateway',
      'content-type: application/json',
      `authorization: ${authorization}`,
      `content-length: ${contentLength}`,
    ].join('\r\n');
  }

  it('answers 401 with connection: close and stops taking the body', async () => {
    const result = await pushRequestBody(port, head(`Bearer ${testKey('nosuchkey')}`, BODY_BYTES), BODY_BYTES);
    expect(result.head?.status).toBe(401);
    expect(result.head?.headers.connection).toBe('close');
    expect(result.closedByServer).toBe(true);
    expect(result.bytesAccepted).toBeLessThan(BODY_BYTES / 3);
  });

  it('answers 413 on a declared length over the cap with connection: close and stops taking the body', async () => {
    const result = await pushRequestBody(port, head(`Bearer ${key}`, 1024 * MIB), BODY_BYTES);
    expect(result.head?.status).toBe(413);
    expect(result.head?.headers.connection).toBe('close');
    expect(result.closedByServer).toBe(true);
    expect(result.bytesAccepted).toBeLessThan(BODY_BYTES / 3);
  });

  it('answers 404 on an unknown path with a body with connection: close', async () => {
    const unknown = head(`Bearer ${key}`, BODY_BYTES).replace('/v1/chat/completions', '/v1/no-such-endpoint');
    const result = await pushRequestBody(port, unknown, BODY_BYTES);
    expect(result.head?.status).toBe(404);
    expect(result.head?.headers.connection).toBe('close');
    expect(result.bytesAccepted).toBeLessThan(BODY_BYTES / 3);
  });

  it('keeps serving, and keeps connections alive after a request whose body was read', async () => {
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'echo', messages: HELLO });
    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).not.toBe('close');
  });
});
