// Property: what a provider sends back (whole answers, streams, error bodies, embeddings),
// recorded answers mutated or plain random, is decoded by every HTTP provider adapter into the
// unified model or refused with a typed error (UpstreamFailure, GatewayError, or the framing's own
// error), within a bounded time; error bodies always become an UpstreamFailure. Streams are fed
// split at random points, as the network delivers them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import type { CompiledBackend, ProviderName } from '@switchyard/compiler';
import fc from 'fast-check';
import { GatewayError } from '../../src/errors/gateway-error.js';
import { UpstreamFailure } from '../../src/errors/upstream-failure.js';
import type { HttpProviderAdapter } from '../../src/providers/provider-adapter.js';
import { createProviderRegistry } from '../../src/providers/registry.js';
import type { BackendTarget } from '../../src/unified/provider-codec.js';
import { EventStreamFramingError } from '../../src/wire/aws-event-stream/index.js';
import { SseEventTooLargeError } from '../../src/wire/sse/index.js';
import { encodeConverseStreamEvent, parseConverseStreamCapture } from '../providers/bedrock/converse-stream-frames.js';
import { wireFixturePath } from '../support/repo-paths.js';
import { decodesOrThrowsTyped, fuzzParameters, type Json, mutated, splitAt } from './fuzz-support.js';

const TYPED = [UpstreamFailure, GatewayError, SseEventTooLargeError, EventStreamFramingError] as const;

type Family = 'openai' | 'anthropic' | 'gemini' | 'bedrock';

const json = (api: string, name: string): Json => JSON.parse(readFileSync(wireFixturePath(api, name), 'utf8')) as Json;
const lines = (api: string, name: string): Json[] =>
  readFileSync(wireFixturePath(api, name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Json);

const RESPONSES: Record<Family, Json[]> = {
  openai: ['openai-text', 'deepseek-reasoning', 'deepseek-tool-call', 'groq-tool-call', 'mistral-text'].map((name) =>
    json('openai-chat', `${name}.json`),
  ),
  anthropic: ['anthropic-text', 'anthropic-clear-thinking.1', 'anthropic-json-tool.1', 'anthropic-tool-no-args'].map((name) =>
    json('anthropic-messages', `${name}.json`),
  ),
  gemini: ['google-text', 'google-reasoning', 'google-tool-call'].map((name) => json('gemini', `${name}.json`)),
  bedrock: ['amazon-bedrock-text', 'amazon-bedrock-reasoning', 'amazon-bedrock-tool-call.1'].map((name) =>
    json('bedrock-converse', `${name}.json`),
  ),
};

const STREAMS: Record<Family, Json[][]> = {
  openai: ['openai-text', 'deepseek-reasoning', 'deepseek-tool-call', 'mistral-incremental-tool-call'].map((name) =>
    lines('openai-chat', `${name}.chunks.txt`),
  ),
  anthropic: ['anthropic-text', 'anthropic-clear-thinking.1', 'anthropic-json-tool.1', 'anthropic-message-delta-input-tokens'].map((name) =>
    lines('anthropic-messages', `${name}.chunks.txt`),
  ),
  gemini: ['google-text', 'google-reasoning', 'google-tool-call', 'google-stream-tool-call-arguments'].map((name) =>
    lines('gemini', `${name}.chunks.txt`),
  ),
  bedrock: ['amazon-bedrock-text', 'amazon-bedrock-reasoning', 'amazon-bedrock-tool-call.1'].map((name) =>
    lines('bedrock-converse', `${name}.chunks.txt`),
  ),
};

const ERROR_BODIES: Json[] = [
  { error: { message: 'bad', type: 'invalid_request_error', param: 'messages', code: 'x' } },
  { type: 'error', error: { type: 'overloaded_error', message: 'busy' } },
  {
    error: {
      code: 429,
      message: 'quota',
      status: 'RESOURCE_EXHAUSTED',
      details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '3s' }],
    },
  },
  { message: 'throttled', __type: 'ThrottlingException' },
  { detail: [{ loc: ['body', 'messages'], msg: 'field required' }] },
];

const EMBEDDINGS: Record<string, Json[]> = {
  openai: [json('openai-chat', 'openai-embedding.json')],
  'vertex-ai': [json('vertex-embeddings', 'vertex-predict-embeddings.json')],
  gemini: [{ embedding: { values: [0.1, 0.2] } }, { embeddings: [{ values: [0.1] }, { values: [0.2] }] }],
  titan: [json('bedrock-embeddings', 'titan-embed-text-v2.invoke.json')],
  cohere: [
    json('bedrock-embeddings', 'cohere-embed-english-v3.invoke.json'),
    json('bedrock-embeddings', 'cohere-embed-by-type.invoke.json'),
  ],
};

/** Frames stream chunks as the provider's wire does. */
function frame(family: Family, chunks: Json[]): Uint8Array {
  switch (family) {
    case 'openai':
      return Buffer.from(`${chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join('')}data: [DONE]\n\n`);
    case 'anthropic':
      return Buffer.from(
        chunks
          .map((chunk) => {
            const type =
              chunk !== null && typeof chunk === 'object' && !Array.isArray(chunk) && typeof chunk.type === 'string' ? chunk.type : 'x';
            return `event: ${type}\ndata: ${JSON.stringify(chunk)}\n\n`;
          })
          .join(''),
      );
    case 'gemini':
      return Buffer.from(chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`).join(''));
    case 'bedrock': {
      // A chunk mutated out of the one-key shape is sent under an event type of its first key, or none.
      const frames = chunks.map((chunk) => {
        const record = chunk !== null && typeof chunk === 'object' && !Array.isArray(chunk) ? chunk : {};
        const eventType = Object.keys(record)[0] ?? 'unknown';
        try {
          const [event] = parseConverseStreamCapture(JSON.stringify({ [eventType]: record[eventType] ?? null }));
          return encodeConverseStreamEvent(event as { eventType: string; payload: unknown });
        } catch {
          return encodeConverseStreamEvent({ eventType, payload: record[eventType] ?? null });
        }
      });
      return Buffer.concat(frames);
    }
  }
}

interface Case {
  name: string;
  adapter: HttpProviderAdapter;
  target: BackendTarget;
  family: Family;
  embeddings: Json[] | undefined;
}

function target(provider: ProviderName, model: string, extra: Partial<CompiledBackend> = {}): BackendTarget {
  return {
    backend: { name: 'b', provider, model, baseURL: 'https://upstream.test', credentials: [], priority: 0, weight: 1, ...extra },
    credential: undefined,
    defaultMaxTokens: 1024,
  };
}

const registry = createProviderRegistry();
const CASES: Case[] = Object.values(registry).flatMap((adapter): Case[] => {
  if (adapter.kind !== 'http') return [];
  const provider = adapter.provider;
  if (provider === 'anthropic')
    return [{ name: provider, adapter, target: target(provider, 'claude-x'), family: 'anthropic', embeddings: undefined }];
  if (provider === 'gemini')
    return [{ name: provider, adapter, target: target(provider, 'gemini-x'), family: 'gemini', embeddings: EMBEDDINGS.gemini }];
  if (provider === 'vertex-ai') {
    const vertex = { vertex: { project: 'p', location: 'us-central1' } };
    return [
      {
        name: 'vertex-ai (Gemini)',
        adapter,
        target: target(provider, 'gemini-x', vertex),
        family: 'gemini',
        embeddings: EMBEDDINGS['vertex-ai'],
      },
      { name: 'vertex-ai (Claude)', adapter, target: target(provider, 'claude-x@1', vertex), family: 'anthropic', embeddings: undefined },
    ];
  }
  if (provider === 'bedrock') {
    const bedrock = { bedrock: { region: 'us-east-1', useAmbientCredentials: false } };
    return [
      {
        name: 'bedrock (Converse)',
        adapter,
        target: target(provider, 'anthropic.claude-x', bedrock),
        family: 'bedrock',
        embeddings: undefined,
      },
      {
        name: 'bedrock (Titan embeddings)',
        adapter,
        target: target(provider, 'amazon.titan-embed-text-v2:0', bedrock),
        family: 'bedrock',
        embeddings: EMBEDDINGS.titan,
      },
      {
        name: 'bedrock (Cohere embeddings)',
        adapter,
        target: target(provider, 'cohere.embed-english-v3', bedrock),
        family: 'bedrock',
        embeddings: EMBEDDINGS.cohere,
      },
    ];
  }
  const azure = provider === 'azure-openai' ? { azure: { deployment: 'd', apiVersion: '2024-10-21' } } : {};
  return [{ name: provider, adapter, target: target(provider, 'gpt-x', azure), family: 'openai', embeddings: EMBEDDINGS.openai }];
});

const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 5 });

describe('provider decoders under fuzzing', () => {
  it('covers every HTTP provider', () => {
    const covered = new Set(CASES.map((c) => c.adapter.provider));
    const http = Object.values(registry).filter((adapter) => adapter.kind === 'http');
    expect(http.filter((adapter) => !covered.has(adapter.provider)).map((adapter) => adapter.provider)).toEqual([]);
  });

  // What the fuzzing found, kept as plain cases: each threw a TypeError from inside the decoder before.
  it.each([
    ['parts that are not a list', { candidates: [{ content: { parts: 0 } }] }, 'candidates[0].content.parts is not a list'],
    ['a part that is null', { candidates: [{ content: { parts: [null] } }] }, 'candidates[0].content.parts[0] is not an object'],
    ['candidates that are not objects', { candidates: [1] }, 'candidates[0] is not an object'],
  ])('Gemini: an answer with %s is an UpstreamFailure naming the field, whole or streamed', (_name, body, message) => {
    const gemini = CASES.find((c) => c.name === 'gemini') as Case;
    expect(() => gemini.adapter.decodeChatResponse(body, gemini.target)).toThrow(UpstreamFailure);
    expect(() => gemini.adapter.decodeChatResponse(body, gemini.target)).toThrow(message);
    const decoder = gemini.adapter.createStreamDecoder(gemini.target);
    expect(() => decoder.push(Buffer.from(`data: ${JSON.stringify(body)}\n\n`))).toThrow(message);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: whole answers decode or fail typed', (_name, c) => {
    const bodies = fc.oneof(
      { weight: 5, arbitrary: fc.oneof(...RESPONSES[c.family].map(mutated)) },
      { weight: 1, arbitrary: fc.jsonValue() as fc.Arbitrary<Json> },
    );
    fc.assert(
      fc.property(bodies, (body) => {
        decodesOrThrowsTyped(() => c.adapter.decodeChatResponse(body, c.target), TYPED);
      }),
      fuzzParameters(150),
    );
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: streams decode or fail typed, however split', (_name, c) => {
    const streams = fc
      .oneof(...STREAMS[c.family].map((chunks) => mutated(chunks)))
      // A mutation may replace the whole list: then that one value is the only chunk.
      .map((chunks) => frame(c.family, Array.isArray(chunks) ? chunks : [chunks]));
    const bytes = fc.oneof({ weight: 5, arbitrary: streams }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) });
    fc.assert(
      fc.property(bytes, cuts, (stream, at) => {
        decodesOrThrowsTyped(() => {
          const decoder = c.adapter.createStreamDecoder(c.target);
          for (const chunk of splitAt(stream, at)) decoder.push(chunk);
          decoder.end();
        }, TYPED);
      }),
      fuzzParameters(150),
    );
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: error bodies always become an UpstreamFailure', (_name, c) => {
    const bodyText = fc.oneof(
      fc.oneof(...ERROR_BODIES.map(mutated)).map((body) => JSON.stringify(body)),
      fc.string({ maxLength: 200 }),
    );
    const headers = fc.dictionary(
      fc.constantFrom('retry-after', 'retry-after-ms', 'x-amzn-errortype', 'content-type'),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 300, max: 599 }), headers, bodyText, (status, head, text) => {
        let failure: unknown;
        decodesOrThrowsTyped(() => {
          failure = c.adapter.decodeError(status, head, text);
        }, []);
        expect(failure).toBeInstanceOf(UpstreamFailure);
      }),
      fuzzParameters(150),
    );
  });

  it.each(CASES.filter((c) => c.embeddings !== undefined).map((c) => [c.name, c] as const))(
    '%s: embeddings decode or fail typed',
    (_name, c) => {
      const decode = c.adapter.decodeEmbeddingsResponse?.bind(c.adapter);
      expect(decode).toBeDefined();
      const bodies = fc.oneof(
        { weight: 5, arbitrary: fc.oneof(...(c.embeddings as Json[]).map(mutated)) },
        { weight: 1, arbitrary: fc.jsonValue() as fc.Arbitrary<Json> },
      );
      fc.assert(
        fc.property(bodies, (body) => {
          decodesOrThrowsTyped(() => decode?.(body, c.target, {}), TYPED);
        }),
        fuzzParameters(150),
      );
    },
  );
});
