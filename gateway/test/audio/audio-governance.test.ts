// Audio is governed like chat, through the gateway process: the form's `model` is checked against
// the key's allow-list, a key's rate limit refuses the next request, a Block budget refuses a
// request whose bound (the upload's size at the lowest assumed bitrate, or the characters to
// speak) does not fit and any request once spent, an upload over --max-audio-upload-bytes is 413
// naming the limit, a malformed form is 400 naming the field, a provider without the endpoint
// is 400 naming it, and a failing backend falls over to the next. Nothing refused reaches upstream.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { APIError } from 'openai';
import { documents, errorOf, openAIClient, postJson, routeObject, secretObject, testKey } from '../core/core-fixtures.js';
import { budgetObject, governedKey } from '../governance/governance-fixtures.js';
import { startAudioUpstream, type AudioUpstream } from '../mocks/openai-audio-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { audioBackend, spokenFile } from './audio-fixtures.js';

const other = testKey('audioother');
const limited = testKey('audiolimited');
const budgeted = testKey('audiobudgeted');
const free = testKey('audiofree');
const UPLOAD_LIMIT = 8192;

async function refusal(call: Promise<unknown>): Promise<APIError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(APIError);
  return error as APIError;
}

function errorBody(error: APIError): { message: string; code: string | null; param: string | null } {
  return error.error as { message: string; code: string | null; param: string | null };
}

async function postForm(
  gateway: GatewayProcess,
  key: string,
  form: FormData | string,
  contentType?: string,
): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (contentType !== undefined) headers['content-type'] = contentType;
  const response = await fetch(`${gateway.url}/v1/audio/transcriptions`, { method: 'POST', headers, body: form });
  return { status: response.status, json: await response.json() };
}

describe('audio governance and refusals', () => {
  let primary: AudioUpstream;
  let secondary: AudioUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    [primary, secondary] = await Promise.all([startAudioUpstream('openai'), startAudioUpstream('openai')]);
    // $0.30 an audio second and $0.10 a character: a budget of $0.50 holds little of either
    const perSecond = { inputPerMillion: '300000', outputPerMillion: '0' };
    const perChar = { inputPerMillion: '100000', outputPerMillion: '0' };
    gateway = await startGateway({
      args: ['--max-audio-upload-bytes', String(UPLOAD_LIMIT)],
      manifests: {
        'all.yaml': documents(
          secretObject('audio', { apiKey: 'upstream-secret' }),
          routeObject({
            name: 'stt',
            retry: { attempts: 2 },
            backends: [
              { ...audioBackend('primary', 'openai', `${primary.server.url}/v1`, 'whisper-1', { pricing: perSecond }), priority: 0 },
              { ...audioBackend('secondary', 'openai', `${secondary.server.url}/v1`, 'whisper-1', { pricing: perSecond }), priority: 1 },
            ],
          }),
          routeObject({
            name: 'voice',
            backends: [audioBackend('v', 'openai', `${primary.server.url}/v1`, 'tts-1', { pricing: perChar })],
          }),
          routeObject({
            name: 'vllm-voice',
            backends: [audioBackend('vv', 'vllm', `${primary.server.url}/v1`, 'some-tts', { pricing: perChar })],
          }),
          ...governedKey({ name: 'other-only', key: other, allowedModels: ['voice'] }),
          ...governedKey({ name: 'limited', key: limited, rateLimit: { requestsPerMinute: 1 } }),
          ...governedKey({ name: 'budgeted', key: budgeted, labels: { team: 'capped' } }),
          ...governedKey({ name: 'free', key: free }),
          budgetObject({ name: 'capped', matchLabels: { team: 'capped' }, limit: '0.5' }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([primary?.server.close(), secondary?.server.close()]);
  });

  it('refuses a key not allowed the form model with 403, sending nothing', async () => {
    const before = primary.audioRequests().length;
    const error = await refusal(openAIClient(gateway, other).audio.transcriptions.create({ file: await spokenFile('hi'), model: 'stt' }));
    expect(error.status).toBe(403);
    expect(errorBody(error).message).toContain('is not allowed to use model `stt`');
    expect(primary.audioRequests().length).toBe(before);
  });

  it("refuses the request past a key's rate limit with 429", async () => {
    const client = openAIClient(gateway, limited);
    expect((await client.audio.transcriptions.create({ file: await spokenFile('one'), model: 'stt' })).text).toBe('one');
    const error = await refusal(client.audio.transcriptions.create({ file: await spokenFile('two'), model: 'stt' }));
    expect(error.status).toBe(429);
    expect(errorBody(error).code).toBe('rate_limit_exceeded');
  });

  it('refuses speech whose characters alone cost more than the budget has, before sending it', async () => {
    const before = primary.audioRequests().length;
    // ten characters at $0.10: $1.00 reserved against $0.50
    const error = await refusal(
      openAIClient(gateway, budgeted).audio.speech.create({ model: 'voice', voice: 'alloy', input: '0123456789' }),
    );
    expect(error.status).toBe(429);
    expect(errorBody(error).code).toBe('budget_exceeded');
    expect(primary.audioRequests().length).toBe(before);
  });

  it('refuses an upload whose duration bound costs more than the budget has, then any request once it is spent', async () => {
    const client = openAIClient(gateway, budgeted);
    // 2,001 bytes may hold 2 s at 16 kbit/s: $0.60 reserved against $0.50
    const big = await refusal(client.audio.transcriptions.create({ file: await spokenFile('x'.repeat(2001)), model: 'stt' }));
    expect(big.status).toBe(429);
    expect(errorBody(big).code).toBe('budget_exceeded');
    // 250 bytes: 1 s reserved ($0.30), but the upstream reports 3 s: $0.90 charged
    const { response } = await client.audio.transcriptions.create({ file: await spokenFile('y'.repeat(250)), model: 'stt' }).withResponse();
    expect(response.headers.get('x-switchyard-cost-usd')).toBe('0.9');
    const before = primary.audioRequests().length;
    const spent = await refusal(client.audio.transcriptions.create({ file: await spokenFile('z'), model: 'stt' }));
    expect(errorBody(spent).code).toBe('budget_exceeded');
    expect(errorBody(spent).message).toContain('default/capped');
    expect(primary.audioRequests().length).toBe(before);
  });

  it('answers an upload over --max-audio-upload-bytes with 413 naming the limit', async () => {
    const error = await refusal(
      openAIClient(gateway, free).audio.transcriptions.create({ file: await spokenFile('x'.repeat(UPLOAD_LIMIT + 1)), model: 'stt' }),
    );
    expect(error.status).toBe(413);
    expect(errorBody(error).message).toContain(`${UPLOAD_LIMIT}-byte limit (--max-audio-upload-bytes)`);
  });

  it('answers a chunked upload (no declared length) with 413 once it passes the limit', async () => {
    const boundary = 'chunked-boundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nstt\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp3"\r\n\r\n`;
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // 1 KiB at a time, past the limit and then some; a gateway that kept reading would take it all
        if (sent === 0) controller.enqueue(Buffer.from(head));
        if (sent > UPLOAD_LIMIT * 4) return controller.close();
        controller.enqueue(Buffer.alloc(1024, 0x61));
        sent += 1024;
      },
    });
    const response = await fetch(`${gateway.url}/v1/audio/transcriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${free}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(errorOf(await response.json()).message).toContain(`${UPLOAD_LIMIT}-byte limit (--max-audio-upload-bytes)`);
  });

  it('answers a malformed form with 400 naming the field', async () => {
    const noFile = new FormData();
    noFile.set('model', 'stt');
    const missingFile = await postForm(gateway, free, noFile);
    expect(missingFile.status).toBe(400);
    expect(errorOf(missingFile.json).param).toBe('file');

    const noModel = new FormData();
    noModel.set('file', new File([Buffer.from('hi')], 'a.mp3', { type: 'audio/mpeg' }));
    const missingModel = await postForm(gateway, free, noModel);
    expect(missingModel.status).toBe(400);
    expect(errorOf(missingModel.json).param).toBe('model');

    const textFile = new FormData();
    textFile.set('model', 'stt');
    textFile.set('file', 'not a file');
    const fileAsText = await postForm(gateway, free, textFile);
    expect(fileAsText.status).toBe(400);
    expect(errorOf(fileAsText.json).param).toBe('file');

    const badFormat = new FormData();
    badFormat.set('model', 'stt');
    badFormat.set('file', new File([Buffer.from('hi')], 'a.mp3'));
    badFormat.set('response_format', 'mp3');
    const format = await postForm(gateway, free, badFormat);
    expect(format.status).toBe(400);
    expect(errorOf(format.json).param).toBe('response_format');

    const truncated = await postForm(
      gateway,
      free,
      '--b\r\nContent-Disposition: form-data; name="model"\r\n\r\nstt',
      'multipart/form-data; boundary=b',
    );
    expect(truncated.status).toBe(400);
    expect(errorOf(truncated.json).message).toContain('multipart');

    const json = await postJson(gateway, '/v1/audio/transcriptions', free, { model: 'stt' });
    expect(json.status).toBe(400);
    expect(errorOf(json.json).message).toContain('multipart/form-data');

    const noVoice = await postJson(gateway, '/v1/audio/speech', free, { model: 'voice', input: 'hi' });
    expect(noVoice.status).toBe(400);
    expect(errorOf(noVoice.json).param).toBe('voice');
  });

  it('answers 400 naming the provider when a backend lacks the endpoint (vLLM has no speech)', async () => {
    const before = primary.audioRequests().length;
    const error = await refusal(openAIClient(gateway, free).audio.speech.create({ model: 'vllm-voice', voice: 'alloy', input: 'hi' }));
    expect(error.status).toBe(400);
    expect(errorBody(error).message).toContain('audio speech (/v1/audio/speech) is not supported by provider vllm');
    expect(primary.audioRequests().length).toBe(before);
  });

  it('falls over to the next backend when the first fails, sending it the same upload', async () => {
    primary.failWith = 503;
    try {
      const { data, response } = await openAIClient(gateway, free)
        .audio.transcriptions.create({ file: await spokenFile('fall over'), model: 'stt' })
        .withResponse();
      expect(data.text).toBe('fall over');
      expect(response.headers.get('x-switchyard-backend')).toBe('secondary');
      expect(secondary.audioRequests()).toHaveLength(1);
    } finally {
      primary.failWith = undefined;
    }
  });
});
