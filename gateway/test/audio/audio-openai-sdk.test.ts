// The official `openai` SDK's audio calls through the gateway process to OpenAI, Azure OpenAI
// and Groq mocks: every transcription response_format, translations, streamed transcription,
// speech streamed through as binary audio and as server-sent events, and the cost each is
// charged from the price catalog (per audio second, per character, per token).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type OpenAI from 'openai';
import { documents, openAIClient, routeObject, secretObject, testKey } from '../core/core-fixtures.js';
import { governedKey } from '../governance/governance-fixtures.js';
import { startAudioUpstream, speechBytes, mockSeconds, type AudioUpstream } from '../mocks/openai-audio-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { requestLine } from '../rerank/rerank-upstreams.js';
import { audioBackend, costHeader, spokenFile } from './audio-fixtures.js';

const key = testKey('audiosdk');
const WORDS = 'hello from the gateway';

describe('audio through the gateway with the openai SDK', () => {
  let openai: AudioUpstream;
  let azure: AudioUpstream;
  let groq: AudioUpstream;
  let gateway: GatewayProcess;
  let client: OpenAI;

  beforeAll(async () => {
    [openai, azure, groq] = await Promise.all([startAudioUpstream('openai'), startAudioUpstream('azure'), startAudioUpstream('groq')]);
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          secretObject('audio', { apiKey: 'upstream-secret' }),
          routeObject({ name: 'whisper', backends: [audioBackend('oai', 'openai', `${openai.server.url}/v1`, 'whisper-1')] }),
          routeObject({ name: 'transcribe', backends: [audioBackend('oai4o', 'openai', `${openai.server.url}/v1`, 'gpt-4o-transcribe')] }),
          routeObject({ name: 'tts', backends: [audioBackend('oaitts', 'openai', `${openai.server.url}/v1`, 'tts-1')] }),
          routeObject({ name: 'mini-tts', backends: [audioBackend('oaimini', 'openai', `${openai.server.url}/v1`, 'gpt-4o-mini-tts')] }),
          routeObject({
            name: 'azure-whisper',
            backends: [
              audioBackend('az', 'azure-openai', azure.server.url, 'whisper-1', {
                azure: { deployment: 'whisper-east', apiVersion: '2024-10-21' },
              }),
            ],
          }),
          routeObject({
            name: 'azure-tts',
            backends: [
              audioBackend('aztts', 'azure-openai', azure.server.url, 'tts-1-hd', {
                azure: { deployment: 'tts-hd', apiVersion: '2024-10-21' },
              }),
            ],
          }),
          routeObject({
            name: 'groq-whisper',
            backends: [audioBackend('groq', 'groq', `${groq.server.url}/openai/v1`, 'whisper-large-v3-turbo')],
          }),
          routeObject({ name: 'or-stt', backends: [audioBackend('or', 'openrouter', `${openai.server.url}/v1`, 'openai/whisper-1')] }),
          routeObject({ name: 'mistral-stt', backends: [audioBackend('mi', 'mistral', `${openai.server.url}/v1`, 'voxtral-mini-latest')] }),
          ...governedKey({ name: 'audio-caller', key }),
        ),
      },
    });
    client = openAIClient(gateway, key);
  });
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([openai?.server.close(), azure?.server.close(), groq?.server.close()]);
  });

  it('transcribes (json) with whisper-1, re-encoding the upload with the backend model, charged per audio second', async () => {
    const { data, response } = await client.audio.transcriptions
      .create({ file: await spokenFile(WORDS), model: 'whisper', language: 'en' })
      .withResponse();
    expect(data.text).toBe(WORDS);
    const sent = openai.audioRequests().at(-1);
    expect(sent?.url).toBe('/v1/audio/transcriptions');
    const form = await new Request('http://x/', {
      method: 'POST',
      headers: { 'content-type': String(sent?.headers['content-type']) },
      body: sent?.body,
    }).formData();
    expect(form.get('model')).toBe('whisper-1');
    expect(form.get('language')).toBe('en');
    expect(((form.get('file') as File) ?? undefined)?.name).toBe('speech.mp3');
    // whisper-1: $0.006 a minute, $100 per million seconds; the mock reports `usage.seconds`
    expect(response.headers.get('x-switchyard-cost-usd')).toBe(costHeader(100, mockSeconds(WORDS.length)));
    const line = await requestLine(gateway, response.headers.get('x-request-id'));
    expect(line).toMatchObject({ operation: 'transcriptions', route: 'default/whisper', backend: 'oai', status: 200 });
  });

  it.each([
    ['text', 'text/plain', `${WORDS}\n`],
    ['srt', 'text/plain', `1\n00:00:00,000 --> 00:00:01,000\n${WORDS}\n\n`],
    ['vtt', 'text/plain', `WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n${WORDS}\n\n`],
  ] as const)('answers response_format %s as the upstream wrote it', async (format, type, expected) => {
    const { data, response } = await client.audio.transcriptions
      .create({ file: await spokenFile(WORDS), model: 'whisper', response_format: format })
      .withResponse();
    expect(data).toBe(expected);
    expect(response.headers.get('content-type')).toContain(type);
    // the subtitles' last cue ends at the audio's length: billed on it, not on the estimate
    if (format !== 'text') expect(response.headers.get('x-switchyard-cost-usd')).toBe(costHeader(100, 1));
  });

  it('answers verbose_json with duration and segments', async () => {
    const verbose = await client.audio.transcriptions.create({
      file: await spokenFile(WORDS),
      model: 'whisper',
      response_format: 'verbose_json',
      timestamp_granularities: ['segment'],
    });
    expect(verbose.duration).toBe(mockSeconds(WORDS.length));
    expect(verbose.segments?.[0]?.text).toBe(WORDS);
    const form = await lastForm(openai);
    expect(form.getAll('timestamp_granularities[]')).toEqual(['segment']);
  });

  it('charges gpt-4o-transcribe by its reported tokens', async () => {
    const { data, response } = await client.audio.transcriptions
      .create({ file: await spokenFile(WORDS), model: 'transcribe' })
      .withResponse();
    expect(data.text).toBe(WORDS);
    const usage = (data as { usage?: { input_tokens: number; output_tokens: number } }).usage;
    expect(usage).toBeDefined();
    // $6 per million audio input tokens, $10 per million output tokens
    const nanos = (usage?.input_tokens ?? 0) * 6000 + (usage?.output_tokens ?? 0) * 10000;
    expect(response.headers.get('x-switchyard-cost-usd')).toBe(costHeader(1, nanos / 1000));
  });

  it('streams a transcription as transcript.text.delta events and a done event', async () => {
    const { data: stream, response } = await client.audio.transcriptions
      .create({ file: await spokenFile(WORDS), model: 'transcribe', stream: true })
      .withResponse();
    const deltas: string[] = [];
    let done: string | undefined;
    for await (const event of stream) {
      if (event.type === 'transcript.text.delta') deltas.push(event.delta);
      if (event.type === 'transcript.text.done') done = event.text;
    }
    expect(deltas.join('').trim()).toBe(WORDS);
    expect(deltas.length).toBe(WORDS.split(' ').length);
    expect(done).toBe(WORDS);
    expect((await lastForm(openai)).get('stream')).toBe('true');
    // charged by the done event's tokens as they passed: 13 input at $6, 4 output at $10 per million
    const line = await requestLine(gateway, response.headers.get('x-request-id'));
    expect(line).toMatchObject({ operation: 'transcriptions', stream: true, inputTokens: 13, outputTokens: 4, costUsd: '0.000118' });
  });

  it('translates to English', async () => {
    const translation = await client.audio.translations.create({ file: await spokenFile('bonjour'), model: 'whisper' });
    expect(translation.text).toBe('(en) bonjour');
    expect(openai.audioRequests().at(-1)?.url).toBe('/v1/audio/translations');
  });

  it('streams speech through as binary audio, chunk by chunk, charged per character', async () => {
    const input = 'The quick brown fox jumps over the lazy dog.';
    const response = await client.audio.speech.create({ model: 'tts', voice: 'alloy', input });
    expect(response.headers.get('content-type')).toBe('audio/mpeg');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const chunks: Uint8Array[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    expect(Buffer.concat(chunks).equals(speechBytes(input))).toBe(true);
    expect(chunks.length).toBeGreaterThan(1);
    expect(JSON.parse(openai.audioRequests().at(-1)?.body.toString('utf8') ?? '{}')).toMatchObject({
      model: 'tts-1',
      voice: 'alloy',
      input,
    });
    // a stream's cost comes after its head: the log line carries it ($15 per million characters)
    const line = await requestLine(gateway, response.headers.get('x-request-id'));
    expect(line).toMatchObject({ operation: 'speech', status: 200, inputTokens: input.length, costUsd: costHeader(15, input.length) });
  });

  it('passes speech on before the upstream has finished it: the first chunk arrives while the rest is held back', async () => {
    let release: () => void = () => undefined;
    openai.speechGate = new Promise((resolve) => {
      release = resolve;
    });
    try {
      const input = 'held back';
      const response = await client.audio.speech.create({ model: 'tts', voice: 'alloy', input });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const first = await reader.read();
      // the upstream has sent 8 KiB of 64 KiB and waits: a gateway that buffered would send nothing yet
      expect(first.done).toBe(false);
      expect(Buffer.from(first.value ?? []).equals(speechBytes(input).subarray(0, first.value?.length))).toBe(true);
      expect(first.value?.length).toBeLessThanOrEqual(8 * 1024);
      release();
      const rest: Uint8Array[] = [first.value as Uint8Array];
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        rest.push(value);
      }
      expect(Buffer.concat(rest).equals(speechBytes(input))).toBe(true);
    } finally {
      release();
      openai.speechGate = undefined;
    }
  });

  it.each([
    ['wav', 'audio/wav'],
    ['opus', 'audio/ogg'],
    ['flac', 'audio/flac'],
  ] as const)('passes speech response_format %s with its content type', async (format, type) => {
    const response = await client.audio.speech.create({ model: 'tts', voice: 'nova', input: 'hi', response_format: format });
    expect(response.headers.get('content-type')).toBe(type);
    expect(Buffer.from(await response.arrayBuffer()).equals(speechBytes('hi'))).toBe(true);
  });

  it('streams speech as speech.audio.delta events with stream_format sse, charged by the done event tokens', async () => {
    const input = 'sse speech';
    const response = await client.audio.speech.create({ model: 'mini-tts', voice: 'alloy', input, stream_format: 'sse' });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    const events = text
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)) as { type: string; audio?: string });
    const audio = Buffer.concat(events.filter((e) => e.type === 'speech.audio.delta').map((e) => Buffer.from(e.audio ?? '', 'base64')));
    expect(audio.equals(speechBytes(input))).toBe(true);
    expect(events.at(-1)?.type).toBe('speech.audio.done');
    const line = await requestLine(gateway, response.headers.get('x-request-id'));
    // gpt-4o-mini-tts: $0.60 per million input tokens, $12 per million output tokens
    expect(line).toMatchObject({
      inputTokens: input.length,
      outputTokens: 100,
      costUsd: costHeader(1, (input.length * 600 + 100 * 12000) / 1000),
    });
  });

  it('reaches Azure OpenAI on the deployment URL with api-key, sending no model', async () => {
    const { data, response } = await client.audio.transcriptions
      .create({ file: await spokenFile(WORDS), model: 'azure-whisper' })
      .withResponse();
    expect(data.text).toBe(WORDS);
    const sent = azure.audioRequests().at(-1);
    expect(sent?.url).toBe('/openai/deployments/whisper-east/audio/transcriptions?api-version=2024-10-21');
    expect((await lastForm(azure)).get('model')).toBeNull();
    expect(response.headers.get('x-switchyard-backend')).toBe('az');
    const speech = await client.audio.speech.create({ model: 'azure-tts', voice: 'alloy', input: 'azure voice' });
    expect(Buffer.from(await speech.arrayBuffer()).equals(speechBytes('azure voice'))).toBe(true);
    expect(azure.audioRequests().at(-1)?.url).toBe('/openai/deployments/tts-hd/audio/speech?api-version=2024-10-21');
    expect(JSON.parse(azure.audioRequests().at(-1)?.body.toString('utf8') ?? '{}').model).toBeUndefined();
  });

  it('reaches Groq at its OpenAI-compatible base URL, charged at its per-hour price', async () => {
    const { data, response } = await client.audio.transcriptions
      .create({ file: await spokenFile(WORDS), model: 'groq-whisper' })
      .withResponse();
    expect(data.text).toBe(WORDS);
    expect(groq.audioRequests().at(-1)?.url).toBe('/openai/v1/audio/transcriptions');
    expect((await lastForm(groq)).get('model')).toBe('whisper-large-v3-turbo');
    // $0.04 an hour: $11.112 per million seconds (rounded up)
    expect(response.headers.get('x-switchyard-cost-usd')).toBe(costHeader(11.112, 1));
  });

  it('transcribes through OpenRouter and Mistral, which serve transcriptions only: their translations and speech are 400', async () => {
    const { data, response } = await client.audio.transcriptions.create({ file: await spokenFile(WORDS), model: 'or-stt' }).withResponse();
    expect(data.text).toBe(WORDS);
    expect((await lastForm(openai)).get('model')).toBe('openai/whisper-1');
    // OpenRouter's `vendor/model` is priced by the vendor's entry: whisper-1, $100 per million seconds
    expect(response.headers.get('x-switchyard-cost-usd')).toBe(costHeader(100, 1));
    expect((await client.audio.transcriptions.create({ file: await spokenFile(WORDS), model: 'mistral-stt' })).text).toBe(WORDS);
    const before = openai.audioRequests().length;
    for (const call of [
      async () => client.audio.translations.create({ file: await spokenFile(WORDS), model: 'or-stt' }),
      () => client.audio.speech.create({ model: 'or-stt', voice: 'alloy', input: 'hi' }),
      async () => client.audio.translations.create({ file: await spokenFile(WORDS), model: 'mistral-stt' }),
    ]) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e as { status?: number; message?: string },
      );
      expect(error?.status).toBe(400);
      expect(error?.message).toMatch(/is not supported by provider (openrouter|mistral)/);
    }
    expect(openai.audioRequests().length).toBe(before);
  });
});

async function lastForm(upstream: AudioUpstream): Promise<FormData> {
  const sent = upstream.audioRequests().at(-1);
  return new Request('http://x/', {
    method: 'POST',
    headers: { 'content-type': String(sent?.headers['content-type']) },
    body: sent?.body,
  }).formData();
}
