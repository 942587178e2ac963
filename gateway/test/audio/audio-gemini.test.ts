// Speech to text on Gemini (AI Studio) and Vertex AI through the gateway with the openai SDK: a
// transcription or translation becomes generateContent with the audio inline and an instruction,
// answered in OpenAI's json or text shape with Gemini's token usage, and charged by it. What does
// not map (speech, stream, timestamped formats, unknown fields, unsupported audio types, Claude
// on Vertex) is refused with 400 naming it, before anything is sent.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { APIError } from 'openai';
import type OpenAI from 'openai';
import { documents, openAIClient, routeObject, secretObject, testKey } from '../core/core-fixtures.js';
import { governedKey } from '../governance/governance-fixtures.js';
import { startGeminiMockServer, textReply, type GeminiMockServer } from '../mocks/gemini-mock-server.js';
import { startVertexAIMockServer, type VertexAIMockServer } from '../mocks/vertex-ai-mock-server.js';
import { vertexRoute } from '../providers/vertex-ai/vertex-ai-manifests.js';
import { createTestServiceAccount, TEST_CLIENT_EMAIL, TEST_LOCATION, TEST_PROJECT } from '../providers/vertex-ai/vertex-ai-test-support.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { costHeader, spokenFile } from './audio-fixtures.js';

const key = testKey('audiogemini');
const account = createTestServiceAccount();
const AUDIO = 'pretend these bytes are an mp3';

interface GeminiPart {
  text?: string;
  inlineData?: { mimeType: string; data: string };
}

function partsOf(body: unknown): GeminiPart[] {
  return (body as { contents: Array<{ parts: GeminiPart[] }> }).contents[0]?.parts ?? [];
}

async function refusal(call: Promise<unknown>): Promise<APIError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(APIError);
  return error as APIError;
}

describe('audio on Gemini and Vertex AI', () => {
  let gemini: GeminiMockServer;
  let vertex: VertexAIMockServer;
  let gateway: GatewayProcess;
  let client: OpenAI;

  beforeAll(async () => {
    gemini = await startGeminiMockServer({ apiKey: 'gemini-key' });
    vertex = await startVertexAIMockServer({
      publicKey: account.publicKeyPem,
      clientEmail: TEST_CLIENT_EMAIL,
      project: TEST_PROJECT,
      location: TEST_LOCATION,
    });
    const where = { baseURL: vertex.url, project: TEST_PROJECT, location: TEST_LOCATION };
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          secretObject('gemini', { apiKey: 'gemini-key' }),
          secretObject('gcp', { 'sa.json': account.json(vertex.tokenUri) }),
          routeObject({
            name: 'gemini-stt',
            backends: [
              {
                name: 'gem',
                provider: 'gemini',
                model: 'gemini-2.5-flash',
                baseURL: gemini.url,
                credentials: [{ secretRef: { name: 'gemini', key: 'apiKey' } }],
                pricing: { inputPerMillion: '1.00', outputPerMillion: '2.50' },
              },
            ],
          }),
          vertexRoute('vertex-stt', 'gemini-2.5-flash', where),
          vertexRoute('vertex-claude', 'claude-sonnet-4-5@20250929', where),
          ...governedKey({ name: 'gemini-caller', key }),
        ),
      },
    });
    client = openAIClient(gateway, key);
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
    await gemini?.close();
    await vertex?.close();
  });
  beforeEach(() => {
    gemini.reset();
    vertex.reset();
  });

  it('transcribes as generateContent with the audio inline, answering json with token usage and charging it', async () => {
    gemini.enqueue(textReply('hello there', { promptTokenCount: 120, candidatesTokenCount: 3 }));
    const { data, response } = await client.audio.transcriptions
      .create({ file: await spokenFile(AUDIO), model: 'gemini-stt', language: 'en', prompt: 'Switchyard', temperature: 0.2 })
      .withResponse();
    expect(data.text).toBe('hello there');
    expect((data as { usage?: unknown }).usage).toEqual({ type: 'tokens', input_tokens: 120, output_tokens: 3, total_tokens: 123 });
    const call = gemini.calls.at(-1);
    expect(call).toMatchObject({ model: 'gemini-2.5-flash', method: 'generateContent' });
    const parts = partsOf(call?.body);
    expect(parts[0]?.text).toContain('Transcribe the speech in this audio verbatim.');
    expect(parts[0]?.text).toContain('"en"');
    expect(parts[0]?.text).toContain('Switchyard');
    expect(parts[1]?.inlineData?.mimeType).toBe('audio/mp3');
    expect(Buffer.from(parts[1]?.inlineData?.data ?? '', 'base64').toString('utf8')).toBe(AUDIO);
    expect((call?.body as { generationConfig?: unknown } | undefined)?.generationConfig).toEqual({ temperature: 0.2 });
    // $1.00 per million input tokens, $2.50 per million output tokens (the backend's pricing)
    expect(response.headers.get('x-switchyard-cost-usd')).toBe(costHeader(1, 120 + 3 * 2.5));
  });

  it('answers response_format text as plain text, and translates with an English instruction', async () => {
    gemini.enqueue(textReply('plain words', { promptTokenCount: 50, candidatesTokenCount: 2 }));
    const text = await client.audio.transcriptions.create({ file: await spokenFile(AUDIO), model: 'gemini-stt', response_format: 'text' });
    expect(text).toBe('plain words\n');
    gemini.enqueue(textReply('good morning', { promptTokenCount: 50, candidatesTokenCount: 2 }));
    const translation = await client.audio.translations.create({ file: await spokenFile(AUDIO, 'clip.wav'), model: 'gemini-stt' });
    expect(translation.text).toBe('good morning');
    const parts = partsOf(gemini.calls.at(-1)?.body);
    expect(parts[0]?.text).toContain('Translate the speech in this audio into English.');
    // the SDK's part is typed audio/mpeg whatever its name; Gemini is told mp3
    expect(parts[1]?.inlineData?.mimeType).toBe('audio/mp3');
  });

  it.each([
    ['srt', { response_format: 'srt' as const }, 'response_format srt'],
    ['vtt', { response_format: 'vtt' as const }, 'response_format vtt'],
    ['verbose_json', { response_format: 'verbose_json' as const }, 'response_format verbose_json'],
    ['timestamps', { timestamp_granularities: ['word' as const] }, 'the field timestamp_granularities[]'],
  ])('refuses %s with 400 naming it, sending nothing', async (_name, extra, named) => {
    const error = await refusal(client.audio.transcriptions.create({ file: await spokenFile(AUDIO), model: 'gemini-stt', ...extra }));
    expect(error.status).toBe(400);
    expect(error.message).toContain(named);
    expect(error.message).toContain('provider gemini');
    expect(gemini.calls).toHaveLength(0);
  });

  it('refuses streamed transcription and speech with 400 naming them', async () => {
    const streamed = await refusal(
      client.audio.transcriptions.create({ file: await spokenFile(AUDIO), model: 'gemini-stt', stream: true }),
    );
    expect(streamed.status).toBe(400);
    expect(streamed.message).toContain('stream=true');
    const speech = await refusal(client.audio.speech.create({ model: 'gemini-stt', voice: 'alloy', input: 'hi' }));
    expect(speech.status).toBe(400);
    expect(speech.message).toContain('audio speech (/v1/audio/speech) is not supported by provider gemini');
    expect(gemini.calls).toHaveLength(0);
  });

  it('transcribes on Vertex AI through the Gemini publisher with a service-account token', async () => {
    vertex.gemini.enqueue(textReply('vertex heard it', { promptTokenCount: 80, candidatesTokenCount: 3 }));
    const result = await client.audio.transcriptions.create({ file: await spokenFile(AUDIO), model: 'vertex-stt' });
    expect(result.text).toBe('vertex heard it');
    const call = vertex.calls.at(-1);
    expect(call).toMatchObject({ publisher: 'google', model: 'gemini-2.5-flash', method: 'generateContent' });
    expect(Buffer.from(partsOf(call?.body)[1]?.inlineData?.data ?? '', 'base64').toString('utf8')).toBe(AUDIO);
  });

  it('refuses audio for a Claude model on Vertex AI with 400', async () => {
    const error = await refusal(client.audio.transcriptions.create({ file: await spokenFile(AUDIO), model: 'vertex-claude' }));
    expect(error.status).toBe(400);
    expect(error.message).toContain('with a Claude model is not supported by provider vertex-ai');
    expect(vertex.calls).toHaveLength(0);
  });
});
