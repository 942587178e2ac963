// One provider account's files and batches, in each provider's wire format: OpenAI's /v1/files
// and /v1/batches (Bearer key), Azure OpenAI's /openai/files and /openai/batches (`api-key`,
// `api-version`), Anthropic's /v1/messages/batches (`x-api-key`, `anthropic-version`). A request
// with another account's key gets a 401, so a test sees which credential the gateway used.
// Batches start `in_progress`; `completeAll()` ends them, answering every line with a fixed
// completion (10 prompt and 5 completion tokens), except OpenAI-format lines whose custom_id
// starts with `fail`, which go to the batch's error file.
import type { ServerResponse } from 'node:http';
import { startMockHttpServer, type MockHttpServer, type RecordedRequest } from '../support/mock-http-server.js';

const LINE_USAGE = { prompt_tokens: 10, completion_tokens: 5 };

interface MockFile {
  id: string;
  filename: string;
  purpose: string;
  content: string;
  createdAt: number;
}

interface MockBatch {
  id: string;
  inputFileId: string;
  status: 'in_progress' | 'completed' | 'cancelling' | 'cancelled';
  outputFileId: string | undefined;
  errorFileId?: string;
  /** Anthropic: the requests it was given inline. */
  requests?: Array<{ custom_id: string; params: Record<string, unknown> }>;
  createdAt: number;
}

export interface BatchApiMock {
  server: MockHttpServer;
  files: Map<string, MockFile>;
  batches: Map<string, MockBatch>;
  completeAll(): void;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType });
  res.end(text);
}

function multipart(request: RecordedRequest): { fields: Record<string, string>; file?: { filename: string; content: string } } {
  const boundary = /boundary=([^;]+)/.exec(String(request.headers['content-type']))?.[1] ?? '';
  const out: { fields: Record<string, string>; file?: { filename: string; content: string } } = { fields: {} };
  for (const part of request.body.toString('utf8').split(`--${boundary}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const head = part.slice(0, split);
    const value = part.slice(split + 4).replace(/\r\n$/, '');
    const name = /name="([^"]+)"/.exec(head)?.[1];
    const filename = /filename="([^"]+)"/.exec(head)?.[1];
    if (name === 'file' && filename !== undefined) out.file = { filename, content: value };
    else if (name !== undefined) out.fields[name] = value;
  }
  return out;
}

function completion(model: string, customId: string): Record<string, unknown> {
  return {
    id: `chatcmpl-${customId}`,
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: `answer to ${customId}` }, finish_reason: 'stop' }],
    usage: { ...LINE_USAGE, total_tokens: LINE_USAGE.prompt_tokens + LINE_USAGE.completion_tokens },
  };
}

export async function startBatchApiMock(flavor: 'openai' | 'azure' | 'anthropic', apiKey: string): Promise<BatchApiMock> {
  const files = new Map<string, MockFile>();
  const batches = new Map<string, MockBatch>();
  let seq = 0;
  const now = (): number => Math.floor(Date.now() / 1000);

  function addFile(filename: string, lines: string[]): string {
    const file: MockFile = {
      id: `file-out${++seq}`,
      filename,
      purpose: 'batch_output',
      content: `${lines.join('\n')}\n`,
      createdAt: now(),
    };
    files.set(file.id, file);
    return file.id;
  }

  function openAIBatch(batch: MockBatch): Record<string, unknown> {
    const total = files.get(batch.inputFileId)?.content.trim().split('\n').length ?? 0;
    return {
      id: batch.id,
      object: 'batch',
      endpoint: '/v1/chat/completions',
      errors: null,
      input_file_id: batch.inputFileId,
      completion_window: '24h',
      status: batch.status,
      output_file_id: batch.outputFileId ?? null,
      error_file_id: batch.errorFileId ?? null,
      created_at: batch.createdAt,
      in_progress_at: batch.createdAt,
      expires_at: batch.createdAt + 86_400,
      completed_at: batch.status === 'completed' ? now() : null,
      request_counts: { total, completed: batch.status === 'completed' ? total : 0, failed: 0 },
      metadata: null,
    };
  }

  function anthropicBatch(batch: MockBatch): Record<string, unknown> {
    const count = batch.requests?.length ?? 0;
    const ended = batch.status === 'completed' || batch.status === 'cancelled';
    const iso = new Date(batch.createdAt * 1000).toISOString();
    return {
      id: batch.id,
      type: 'message_batch',
      processing_status: ended ? 'ended' : batch.status === 'cancelling' ? 'canceling' : 'in_progress',
      request_counts: {
        processing: ended ? 0 : count,
        succeeded: batch.status === 'completed' ? count : 0,
        errored: 0,
        canceled: batch.status === 'cancelled' ? count : 0,
        expired: 0,
      },
      ended_at: ended ? new Date().toISOString() : null,
      created_at: iso,
      expires_at: new Date(batch.createdAt * 1000 + 86_400_000).toISOString(),
      archived_at: null,
      cancel_initiated_at: batch.status === 'cancelling' || batch.status === 'cancelled' ? iso : null,
      results_url: ended ? `http://mock/v1/messages/batches/${batch.id}/results` : null,
    };
  }

  const server = await startMockHttpServer((request, res) => {
    const url = new URL(request.url, 'http://mock');
    const given =
      flavor === 'openai' ? request.headers.authorization : flavor === 'azure' ? request.headers['api-key'] : request.headers['x-api-key'];
    const expected = flavor === 'openai' ? `Bearer ${apiKey}` : apiKey;
    if (given !== expected) return send(res, 401, { error: { message: 'invalid api key', type: 'authentication_error' } });
    if (flavor === 'azure' && url.searchParams.get('api-version') === null)
      return send(res, 400, { error: { message: 'api-version missing' } });
    if (flavor === 'anthropic') return anthropic(request, url.pathname, res);
    const path = flavor === 'azure' ? url.pathname.replace(/^\/openai\//, '/v1/') : url.pathname;
    const parts = path.split('/').filter(Boolean); // v1, files|batches, id?, action?
    const [, resource, id, action] = parts;
    if (resource === 'files') {
      if (request.method === 'POST' && id === undefined) {
        const form = multipart(request);
        if (form.fields.purpose !== 'batch' || form.file === undefined) return send(res, 400, { error: { message: 'bad upload' } });
        const file: MockFile = {
          id: `file-up${++seq}`,
          filename: form.file.filename,
          purpose: 'batch',
          content: form.file.content,
          createdAt: now(),
        };
        files.set(file.id, file);
        return send(res, 200, {
          id: file.id,
          object: 'file',
          bytes: file.content.length,
          created_at: file.createdAt,
          filename: file.filename,
          purpose: 'batch',
          status: 'processed',
        });
      }
      const file = id === undefined ? undefined : files.get(id);
      if (file === undefined) return send(res, 404, { error: { message: 'No such file', type: 'invalid_request_error' } });
      if (request.method === 'DELETE') {
        files.delete(file.id);
        return send(res, 200, { id: file.id, object: 'file', deleted: true });
      }
      if (action === 'content') return send(res, 200, file.content, 'application/octet-stream');
      return send(res, 200, {
        id: file.id,
        object: 'file',
        bytes: file.content.length,
        created_at: file.createdAt,
        filename: file.filename,
        purpose: file.purpose,
        status: 'processed',
      });
    }
    if (resource === 'batches') {
      if (request.method === 'POST' && id === undefined) {
        const body = request.json as { input_file_id?: string };
        if (body.input_file_id === undefined || !files.has(body.input_file_id))
          return send(res, 400, { error: { message: 'input file not found' } });
        const batch: MockBatch = {
          id: `batch_up${++seq}`,
          inputFileId: body.input_file_id,
          status: 'in_progress',
          outputFileId: undefined,
          createdAt: now(),
        };
        batches.set(batch.id, batch);
        return send(res, 200, openAIBatch(batch));
      }
      const batch = id === undefined ? undefined : batches.get(id);
      if (batch === undefined) return send(res, 404, { error: { message: 'No such batch' } });
      if (action === 'cancel') batch.status = 'cancelling';
      return send(res, 200, openAIBatch(batch));
    }
    return send(res, 404, { error: { message: `unknown path ${url.pathname}` } });
  });

  function anthropic(request: RecordedRequest, path: string, res: ServerResponse): void {
    if (request.headers['anthropic-version'] === undefined)
      return send(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version missing' } });
    const parts = path.split('/').filter(Boolean); // v1, messages, batches, id?, action?
    const [, , , id, action] = parts;
    if (request.method === 'POST' && id === undefined) {
      const body = request.json as { requests?: Array<{ custom_id: string; params: Record<string, unknown> }> };
      if (!Array.isArray(body.requests) || body.requests.some((r) => typeof r.params?.max_tokens !== 'number'))
        return send(res, 400, {
          type: 'error',
          error: { type: 'invalid_request_error', message: 'requests[].params.max_tokens required' },
        });
      const batch: MockBatch = {
        id: `msgbatch_up${++seq}`,
        inputFileId: '',
        status: 'in_progress',
        outputFileId: undefined,
        requests: body.requests,
        createdAt: now(),
      };
      batches.set(batch.id, batch);
      return send(res, 200, anthropicBatch(batch));
    }
    const batch = id === undefined ? undefined : batches.get(id);
    if (batch === undefined) return send(res, 404, { type: 'error', error: { type: 'not_found_error', message: 'batch not found' } });
    if (action === 'cancel') batch.status = 'cancelling';
    if (action === 'results') {
      const lines = (batch.requests ?? []).map((r) =>
        JSON.stringify({
          custom_id: r.custom_id,
          result: {
            type: 'succeeded',
            message: {
              id: `msg_${r.custom_id}`,
              type: 'message',
              role: 'assistant',
              model: r.params.model,
              content: [{ type: 'text', text: `answer to ${r.custom_id}` }],
              stop_reason: 'end_turn',
              stop_sequence: null,
              usage: { input_tokens: LINE_USAGE.prompt_tokens, output_tokens: LINE_USAGE.completion_tokens },
            },
          },
        }),
      );
      return send(res, 200, `${lines.join('\n')}\n`, 'application/binary');
    }
    return send(res, 200, anthropicBatch(batch));
  }

  return {
    server,
    files,
    batches,
    completeAll() {
      for (const batch of batches.values()) {
        if (batch.status !== 'in_progress') continue;
        batch.status = 'completed';
        if (flavor === 'anthropic') continue;
        const lines = (files.get(batch.inputFileId)?.content ?? '')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { custom_id: string; body: { model: string } });
        // Lines whose custom_id starts with `fail` fail: OpenAI puts them in the batch's error file.
        const output = lines
          .filter((line) => !line.custom_id.startsWith('fail'))
          .map((line) =>
            JSON.stringify({
              id: `batch_req_${line.custom_id}`,
              custom_id: line.custom_id,
              response: { status_code: 200, request_id: `req_${line.custom_id}`, body: completion(line.body.model, line.custom_id) },
              error: null,
            }),
          );
        const failed = lines
          .filter((line) => line.custom_id.startsWith('fail'))
          .map((line) =>
            JSON.stringify({
              id: `batch_req_${line.custom_id}`,
              custom_id: line.custom_id,
              response: {
                status_code: 400,
                request_id: `req_${line.custom_id}`,
                body: { error: { message: 'bad request', type: 'invalid_request_error' } },
              },
              error: null,
            }),
          );
        batch.outputFileId = addFile('output.jsonl', output);
        if (failed.length > 0) batch.errorFileId = addFile('errors.jsonl', failed);
      }
    },
    close: () => server.close(),
  };
}
