// --max-body-bytes: 413 from the declared content-length before reading, and while reading a
// chunked body; the gateway keeps serving afterwards.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, errorOf, HELLO, keyObjects, mockBackend, postJson, routeObject, testKey } from './core-fixtures.js';

const key = testKey('bodylimit');
const LIMIT = 4096;

function chunkedPost(gateway: GatewayProcess, chunks: string[], pauseMs = 0): Promise<{ status: number; body: string }> {
  return new Promise((resolvePost, rejectPost) => {
    const url = new URL(`${gateway.url}/v1/chat/completions`);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolvePost({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', rejectPost);
    if (pauseMs === 0) {
      for (const chunk of chunks) req.write(chunk);
      req.end();
      return;
    }
    // Each piece on its own, so the gateway's body reader gets them as separate reads.
    const writeFrom = (index: number): void => {
      if (index === chunks.length) {
        req.end();
        return;
      }
      req.write(chunks[index]);
      setTimeout(() => writeFrom(index + 1), pauseMs);
    };
    req.flushHeaders();
    writeFrom(0);
  });
}

describe('request body limit', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({
      manifests: { 'all.yaml': documents(...keyObjects({ name: 'k', key }), routeObject({ name: 'echo', backends: [mockBackend('m')] })) },
      args: ['--max-body-bytes', String(LIMIT)],
    });
  });
  afterAll(async () => gateway?.stop());

  it('refuses a body whose content-length exceeds the limit with 413', async () => {
    const response = await postJson(gateway, '/v1/chat/completions', key, {
      model: 'echo',
      messages: [{ role: 'user', content: 'x'.repeat(LIMIT) }],
    });
    expect(response.status).toBe(413);
    expect(errorOf(response.json).message).toContain(`${LIMIT}-byte limit`);
  });

  it('refuses a chunked body once it grows past the limit', async () => {
    const response = await chunkedPost(gateway, ['{"model":"echo","messages":[{"role":"user","content":"', 'y'.repeat(LIMIT), '"}]}']);
    expect(response.status).toBe(413);
  });

  // The body reader keeps its state beside the request only while reading (ingress.ts): a body in
  // pieces must still arrive whole and in order.
  it('reads a body that arrives in pieces whole, in order', async () => {
    const pieces = ['{"model":"echo","messages":[{"role":"user","content":"', 'first ', 'second ', 'third', '"}]}'];
    const response = await chunkedPost(gateway, pieces, 30);
    expect(response.status).toBe(200);
    expect(response.body).toContain('first second third');
  });

  it('accepts a body just under the limit and keeps serving', async () => {
    const content = 'z'.repeat(LIMIT - 200);
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'echo', messages: [{ role: 'user', content }] });
    expect(response.status).toBe(200);
    expect((await postJson(gateway, '/v1/chat/completions', key, { model: 'echo', messages: HELLO })).status).toBe(200);
  });
});
