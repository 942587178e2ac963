// The transport's whole-body path (non-streaming calls): bodies arriving in pieces, the size
// limits, and aborts before headers, mid-body and before the call, against a real HTTP server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AttemptAbortEmitter } from '../../src/pipeline/attempt-scope.js';
import { createEgressGuard } from '../../src/transport/egress-guard.js';
import { UpstreamBodyTooLargeError, UpstreamTransport, type BufferedReadOptions } from '../../src/transport/upstream-transport.js';

const TIMEOUTS = { connectMs: 2_000, bodyIdleMs: 10_000 };
const LIMITS: BufferedReadOptions = { maxBodyBytes: 1_000, maxErrorBodyBytes: 10 };

describe('UpstreamTransport.sendBuffered', () => {
  let server: Server;
  let origin: string;
  const transport = new UpstreamTransport({ egressGuard: createEgressGuard([]) });
  const closedMidBody: string[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      const path = req.url ?? '';
      if (path === '/pieces') {
        res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes' });
        res.write('{"a":');
        setTimeout(() => res.end('[1,2,3]}'), 20);
      } else if (path === '/large') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`"${'x'.repeat(5_000)}"`);
      } else if (path === '/declared-large') {
        // Declares more than the limit, sends a little and then nothing: only the declared length can refuse it.
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
        res.write('"xxxxxxxx');
        res.on('close', () => closedMidBody.push(path));
      } else if (path === '/declared-exact') {
        const body = `"${'y'.repeat(998)}"`;
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
        res.write(body.slice(0, 300));
        setTimeout(() => res.end(body.slice(300)), 20);
      } else if (path === '/many-headers') {
        // An informational answer first, then repeated and mixed-case header names.
        res.writeEarlyHints({ link: '</style.css>; rel=preload' });
        res.setHeader('Set-Cookie', ['a=1', 'b=2']);
        res.setHeader('X-Dup', ['one', 'two']);
        res.setHeader('X-Request-ID', 'upstream-123');
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      } else if (path === '/error') {
        res.writeHead(429, { 'retry-after': '3' });
        res.end('0123456789abcdefghij');
      } else if (path === '/slow-headers') {
        setTimeout(() => res.end('{}'), 5_000).unref();
      } else if (path === '/stalled-body') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"partial":');
        res.on('close', () => closedMidBody.push(path));
      } else {
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await transport.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const send = (path: string, signal = new AttemptAbortEmitter(), options: BufferedReadOptions = LIMITS) =>
    transport.sendBuffered(
      { method: 'POST', url: `${origin}${path}`, headers: { 'content-type': 'application/json' }, body: '{}' },
      TIMEOUTS,
      signal,
      options,
    );

  it('joins a body that arrives in several chunks and reports status and headers once they arrive', async () => {
    let headersSeen = 0;
    const response = await send('/pieces', undefined, { ...LIMITS, onHeaders: () => (headersSeen += 1) });
    expect(response.status).toBe(200);
    expect(response.headers['x-upstream']).toBe('yes');
    expect(JSON.parse(response.body.toString('utf8'))).toEqual({ a: [1, 2, 3] });
    expect(headersSeen).toBe(1);
  });

  it('reports the final status and the same headers as a streamed call, repeated names as arrays', async () => {
    const buffered = await send('/many-headers');
    const streamed = await transport.send(
      { method: 'POST', url: `${origin}/many-headers`, headers: { 'content-type': 'application/json' }, body: '{}' },
      TIMEOUTS,
      new AttemptAbortEmitter(),
    );
    await streamed.body.text();
    expect(buffered.status).toBe(201);
    expect(buffered.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(buffered.headers['x-dup']).toEqual(['one', 'two']);
    expect(buffered.headers['x-request-id']).toBe('upstream-123');
    expect(buffered.headers.link).toBeUndefined();
    const { date: _bufferedDate, ...bufferedRest } = buffered.headers;
    const { date: _streamedDate, ...streamedRest } = streamed.headers;
    expect(bufferedRest).toEqual(streamedRest);
    expect(buffered.body.toString('utf8')).toBe('{"ok":true}');
  });

  it('refuses a 2xx body above the limit and keeps serving', async () => {
    await expect(send('/large')).rejects.toBeInstanceOf(UpstreamBodyTooLargeError);
    const next = await send('/ok');
    expect(next.body.toString('utf8')).toBe('{}');
  });

  it('refuses a declared length above the limit without waiting for the body, and the error names the limit', async () => {
    const error: unknown = await send('/declared-large').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamBodyTooLargeError);
    expect((error as UpstreamBodyTooLargeError).declaredBytes).toBe(5000);
    expect((error as Error).message).toContain('1000-byte limit (--max-response-bytes)');
    const deadline = Date.now() + 2_000;
    while (!closedMidBody.includes('/declared-large') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(closedMidBody).toContain('/declared-large');
  });

  it('fills a declared-length body at exactly the limit from several chunks', async () => {
    const response = await send('/declared-exact');
    expect(response.body.length).toBe(1000);
    expect(JSON.parse(response.body.toString('utf8'))).toBe('y'.repeat(998));
  });

  it('keeps only the first bytes of an error body', async () => {
    const response = await send('/error');
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('3');
    expect(response.body.toString('utf8')).toBe('0123456789');
  });

  it('rejects with the abort reason while waiting for headers', async () => {
    const signal = new AttemptAbortEmitter();
    const reason = new Error('first byte deadline');
    const pending = send('/slow-headers', signal);
    setTimeout(() => {
      signal.aborted = true;
      signal.reason = reason;
      signal.emit('abort');
    }, 50);
    const started = performance.now();
    await expect(pending).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('stops the upstream request when aborted mid-body', async () => {
    const signal = new AttemptAbortEmitter();
    const reason = new Error('client went away');
    let sawHeaders = false;
    const pending = send('/stalled-body', signal, {
      ...LIMITS,
      onHeaders: () => {
        sawHeaders = true;
        setTimeout(() => {
          signal.aborted = true;
          signal.reason = reason;
          signal.emit('abort');
        }, 20);
      },
    });
    await expect(pending).rejects.toBe(reason);
    expect(sawHeaders).toBe(true);
    const deadline = Date.now() + 2_000;
    while (!closedMidBody.includes('/stalled-body') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(closedMidBody).toContain('/stalled-body');
  });

  it('does not send at all when the attempt is already aborted', async () => {
    const signal = new AttemptAbortEmitter();
    signal.aborted = true;
    signal.reason = new Error('already over');
    await expect(send('/ok', signal)).rejects.toThrow('already over');
    expect(signal.listenerCount('abort')).toBe(0);
  });
});
