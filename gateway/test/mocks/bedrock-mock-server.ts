// A loopback Amazon Bedrock Runtime that speaks the real wire format, for tests.
//
//   const bedrock = await startBedrockMockServer({ identities: [{ accessKeyId, secretAccessKey }] });
//   bedrock.url                        -> http://127.0.0.1:<port>, use as the backend baseURL
//   bedrock.enqueue(reply, ...)        -> the next Converse/ConverseStream calls answer with these, in order
//   bedrock.setDefaultReply(reply)     -> what calls get once the queue is empty ({capture: 'amazon-bedrock-text'})
//   bedrock.calls                      -> every call: operation, modelId, parsed body, headers, outcome
//   await bedrock.close()
//
// Routes: POST /model/{modelId}/converse (JSON), /model/{modelId}/converse-stream (binary
// application/vnd.amazon.eventstream) and /model/{modelId}/invoke (InvokeModel, embedding models
// only: Titan Text Embeddings `amazon.titan-embed-*` and Cohere Embed `cohere.embed-*`, and Titan Image
// Generator `amazon.titan-image-generator-*`). Every call must carry a SigV4 Authorization header that
// the mock recomputes with the identity's secret (region `us-east-1`, service `bedrock` unless
// configured): no header -> 403 MissingAuthenticationTokenException; unknown key id or wrong
// session token -> 403 UnrecognizedClientException; bad scope, stale date or wrong signature ->
// 403 InvalidSignatureException (whose message echoes the canonical request, as AWS's does).
// Bodies are checked against Converse's rules (non-blank text, alternating roles, tool blocks
// need a toolConfig, ...) -> 400 ValidationException. InvokeModel bodies are checked against the
// model family's documented schema (Titan: inputText, V2-only dimensions 256/512/1024 and
// normalize, no other keys; Cohere: 1-96 texts, input_type required) -> 400 ValidationException.
// Embeddings are synthesized from the text unless a reply says otherwise: deterministic vectors
// of the requested size (Titan V2 1024 by default, Titan V1 1536, Cohere 1024), unit length
// unless `normalize: false`, with one token per whitespace-separated word (Titan:
// inputTextTokenCount; Cohere: the X-Amzn-Bedrock-Input-Token-Count header, as Bedrock sends).
//
// A reply is one of:
//   { capture: 'amazon-bedrock-text' }   recorded fixture: <name>.json for converse,
//                                        <name>.chunks.txt (one event per line) for converse-stream
//   { response: UnifiedChatResponse }     synthesized Converse JSON / events (exact usage etc.)
//   { converse: unknown }                 raw Converse JSON body
//   { events: ConverseStreamEvent[] }     raw stream events
//   { error: { status, type, message, retryAfterSeconds? } }  HTTP error, type in x-amzn-errortype
//   { invoke: unknown }                   raw InvokeModel JSON body (any other reply to /invoke
//                                         synthesizes embeddings, see above)
// plus, on any reply: delayMs (before the status line), chunkSize (stream bytes per write),
// writeDelayMs (between writes), padding (Bedrock's `p` member in each event payload),
// exceptionAfter: { events, type, message } (that many events, then an exception message),
// cutAfter: { events, midFrame? } (that many events, optionally half the next frame, then the
// socket is destroyed).

import { readFileSync } from 'node:fs';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { isRecord } from '@switchyard/compiler';
import { converseResponseFromUnified, converseStreamEventsFromUnified } from '../providers/bedrock/converse-from-unified.js';
import {
  encodeConverseStreamEvent,
  encodeConverseStreamException,
  parseConverseStreamCapture,
} from '../providers/bedrock/converse-stream-frames.js';
import type { ConverseStreamEvent } from '../../src/wire/bedrock-converse/converse-types.js';
import { parseAuthorizationHeader, signSigV4, toAmzDate, type AwsSigningCredentials } from '../../src/common/aws/sigv4-signer.js';
import type { UnifiedChatResponse } from '../../src/unified/chat-response.js';
import { startMockHttpServer, type MockHttpServer, type RecordedRequest } from '../support/mock-http-server.js';
import { wireFixturePath } from '../support/repo-paths.js';

interface BedrockMockError {
  status: number;
  /** AWS error type, e.g. ThrottlingException. */
  type: string;
  message: string;
  retryAfterSeconds?: number;
}

interface BedrockReplyModifiers {
  delayMs?: number;
  chunkSize?: number;
  writeDelayMs?: number;
  padding?: boolean;
  exceptionAfter?: { events: number; type: string; message: string };
  cutAfter?: { events: number; midFrame?: boolean };
}

type BedrockMockReply = BedrockReplyModifiers &
  (
    | { capture: string }
    | { response: UnifiedChatResponse }
    | { converse: unknown }
    | { events: ConverseStreamEvent[] }
    | { error: BedrockMockError }
    | { invoke: unknown }
    | { rerank: unknown }
  );

type BedrockOperation = 'converse' | 'converse-stream' | 'invoke' | 'rerank';

interface BedrockMockCall {
  operation: BedrockOperation | undefined;
  modelId: string | undefined;
  body: unknown;
  headers: IncomingHttpHeaders;
  /** HTTP status the mock answered with. */
  status: number;
  /** AWS error type when the mock refused the call. */
  errorType?: string;
  errorMessage?: string;
}

export interface BedrockMockServerOptions {
  identities: AwsSigningCredentials[];
  region?: string;
  service?: string;
  /** Model ids that exist; absent means every id does. */
  knownModels?: string[];
  /** Largest accepted difference between x-amz-date and the mock's clock. */
  maxClockSkewMs?: number;
}

export interface BedrockMockServer {
  url: string;
  calls: BedrockMockCall[];
  enqueue(...replies: BedrockMockReply[]): void;
  setDefaultReply(reply: BedrockMockReply): void;
  close(): Promise<void>;
}

const ERROR_TYPE_SUFFIX = ':http://internal.amazon.com/coral/com.amazon.bedrock/';

class MockRefusal extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

function headerString(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function equalStrings(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

// ---- SigV4 verification ----

function verifySignature(
  request: RecordedRequest,
  options: Required<Pick<BedrockMockServerOptions, 'region' | 'service' | 'maxClockSkewMs'>> & BedrockMockServerOptions,
): void {
  const authorization = headerString(request.headers, 'authorization');
  if (!authorization) throw new MockRefusal(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  const parsed = parseAuthorizationHeader(authorization);
  if (!parsed)
    throw new MockRefusal(
      403,
      'IncompleteSignatureException',
      `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. Authorization=${authorization.split(' ')[0] ?? ''}`,
    );
  const identity = options.identities.find((candidate) => candidate.accessKeyId === parsed.accessKeyId);
  if (!identity) throw new MockRefusal(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  const sentToken = headerString(request.headers, 'x-amz-security-token');
  if ((identity.sessionToken ?? '') !== (sentToken ?? ''))
    throw new MockRefusal(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (sentToken !== undefined && !parsed.signedHeaders.includes('x-amz-security-token')) {
    throw new MockRefusal(403, 'InvalidSignatureException', "'x-amz-security-token' must be a signed header.");
  }
  if (parsed.region !== options.region)
    throw new MockRefusal(403, 'InvalidSignatureException', `Credential should be scoped to a valid region, not '${parsed.region}'.`);
  if (parsed.service !== options.service)
    throw new MockRefusal(403, 'InvalidSignatureException', `Credential should be scoped to correct service: '${options.service}'.`);
  for (const required of ['host', 'x-amz-date']) {
    if (!parsed.signedHeaders.includes(required))
      throw new MockRefusal(403, 'InvalidSignatureException', `'${required}' must be a signed header.`);
  }
  const amzDate = headerString(request.headers, 'x-amz-date') ?? '';
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  const signedAt = match
    ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6]))
    : NaN;
  if (Number.isNaN(signedAt)) throw new MockRefusal(403, 'IncompleteSignatureException', "Date must be in ISO-8601 'basic format'.");
  if (Math.abs(Date.now() - signedAt) > options.maxClockSkewMs) {
    throw new MockRefusal(
      403,
      'InvalidSignatureException',
      `Signature expired: ${amzDate} is now earlier than ${toAmzDate(new Date(Date.now() - options.maxClockSkewMs))}`,
    );
  }
  if (amzDate.slice(0, 8) !== parsed.dateStamp)
    throw new MockRefusal(
      403,
      'InvalidSignatureException',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parsed.dateStamp}' != '${amzDate.slice(0, 8)}'`,
    );

  const signedHeaders: Array<[string, string]> = [];
  for (const name of parsed.signedHeaders) {
    const value = headerString(request.headers, name);
    if (value === undefined)
      throw new MockRefusal(
        403,
        'InvalidSignatureException',
        `The request signature we calculated does not match the signature you provided: signed header '${name}' is missing.`,
      );
    signedHeaders.push([name, value]);
  }
  const questionMark = request.url.indexOf('?');
  const expected = signSigV4(
    {
      method: request.method,
      path: questionMark === -1 ? request.url : request.url.slice(0, questionMark),
      query: questionMark === -1 ? '' : request.url.slice(questionMark + 1),
      headers: signedHeaders,
      body: request.body,
    },
    { credentials: identity, region: parsed.region, service: parsed.service, date: new Date(signedAt) },
  );
  if (!equalStrings(expected.signature, parsed.signature)) {
    throw new MockRefusal(
      403,
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.' +
        `\n\nThe Canonical String for this request should have been\n'${expected.canonicalRequest}'\n\nThe String-to-Sign should have been\n'${expected.stringToSign}'\n`,
    );
  }
}

// ---- Converse request validation (the rules Bedrock enforces that an encoder can get wrong) ----

const CONTENT_BLOCK_KEYS = new Set([
  'text',
  'image',
  'document',
  'video',
  'toolUse',
  'toolResult',
  'guardContent',
  'cachePoint',
  'reasoningContent',
  'citationsContent',
]);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function validateConverseRequest(body: unknown): void {
  const fail = (message: string): never => {
    throw new MockRefusal(400, 'ValidationException', message);
  };
  if (!isRecord(body)) fail('Malformed input request, please reformat your input and try again.');
  const request = body as Record<string, unknown>;
  const messages = request['messages'];
  if (!Array.isArray(messages) || messages.length === 0) fail('The messages field is required and must contain at least one message.');
  let usesTools = false;
  (messages as unknown[]).forEach((message, i) => {
    if (!isRecord(message)) fail(`messages.${i} must be an object.`);
    const m = message as Record<string, unknown>;
    if (m['role'] !== 'user' && m['role'] !== 'assistant') fail(`messages.${i}.role must be 'user' or 'assistant'.`);
    if (i === 0 && m['role'] !== 'user')
      fail('A conversation must start with a user message. Try again with a conversation that starts with a user message.');
    const previous = (messages as Array<Record<string, unknown>>)[i - 1];
    if (previous && previous['role'] === m['role'])
      fail(
        'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.',
      );
    const content = m['content'];
    if (!Array.isArray(content) || content.length === 0) fail(`messages.${i}.content must contain at least one content block.`);
    (content as unknown[]).forEach((block, j) => {
      const keys = isRecord(block) ? Object.keys(block) : [];
      if (keys.length !== 1 || !CONTENT_BLOCK_KEYS.has(keys[0] ?? ''))
        fail(`messages.${i}.content.${j} must set exactly one content block member.`);
      const b = block as Record<string, unknown>;
      if ('text' in b && (typeof b['text'] !== 'string' || b['text'].trim() === ''))
        fail(
          `The text field in the ContentBlock object at messages.${i}.content.${j} is blank. Add text to the text field, and try again.`,
        );
      if ('toolUse' in b || 'toolResult' in b) usesTools = true;
      const toolResult = b['toolResult'];
      if (isRecord(toolResult)) {
        const resultContent = toolResult['content'];
        if (
          !Array.isArray(resultContent) ||
          resultContent.some((item) => isRecord(item) && 'text' in item && (typeof item['text'] !== 'string' || item['text'].trim() === ''))
        ) {
          fail('messages: text content blocks must be non-empty');
        }
      }
      const image = b['image'];
      if (image !== undefined) {
        const source = isRecord(image) && isRecord(image['source']) ? image['source'] : undefined;
        if (
          !isRecord(image) ||
          !['png', 'jpeg', 'gif', 'webp'].includes(String(image['format'])) ||
          typeof source?.['bytes'] !== 'string' ||
          !BASE64.test(source['bytes'])
        ) {
          fail(`messages.${i}.content.${j}.image needs a format of png, jpeg, gif or webp and base64 source.bytes.`);
        }
      }
    });
  });
  const system = request['system'];
  if (
    system !== undefined &&
    (!Array.isArray(system) || system.some((s) => !isRecord(s) || (typeof s['text'] !== 'string' && !('cachePoint' in s))))
  )
    fail('system must be a list of text blocks.');
  const toolConfig = request['toolConfig'];
  if (usesTools && toolConfig === undefined) fail('The toolConfig field must be defined when using toolUse and toolResult content blocks.');
  if (toolConfig !== undefined) {
    const tools = isRecord(toolConfig) ? toolConfig['tools'] : undefined;
    if (!Array.isArray(tools) || tools.length === 0) fail('toolConfig.tools must contain at least one tool.');
    const names = (tools as unknown[]).map((tool) => (isRecord(tool) && isRecord(tool['toolSpec']) ? tool['toolSpec']['name'] : undefined));
    if (names.some((name) => typeof name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(name)))
      fail('Each toolConfig.tools[].toolSpec.name must match [a-zA-Z0-9_-]{1,64}.');
    const choice = isRecord(toolConfig) ? toolConfig['toolChoice'] : undefined;
    if (isRecord(choice) && isRecord(choice['tool']) && !names.includes(choice['tool']['name']))
      fail('toolChoice.tool.name must name one of the tools in toolConfig.tools.');
  }
  const inference = request['inferenceConfig'];
  if (inference !== undefined) {
    if (!isRecord(inference)) fail('inferenceConfig must be an object.');
    const config = inference as Record<string, unknown>;
    if (config['maxTokens'] !== undefined && (!Number.isInteger(config['maxTokens']) || (config['maxTokens'] as number) < 1))
      fail('inferenceConfig.maxTokens must be a positive integer.');
    for (const name of ['temperature', 'topP']) {
      if (config[name] !== undefined && typeof config[name] !== 'number') fail(`inferenceConfig.${name} must be a number.`);
    }
  }
}

// ---- InvokeModel images (Titan Image Generator v1 and v2) ----

/** A 1x1 PNG: every Titan image the mock answers. */
const MOCK_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

function isTitanImageModel(modelId: string): boolean {
  return modelId.startsWith('amazon.titan-image-generator');
}

/** Titan's TEXT_IMAGE and IMAGE_VARIATION bodies, checked as Bedrock's schema does; answers `numberOfImages` PNGs. */
function titanImages(body: unknown): unknown {
  const fail = (message: string): never => {
    throw new MockRefusal(400, 'ValidationException', `Malformed input request: ${message}, please reformat your input and try again.`);
  };
  if (!isRecord(body)) return fail('#: expected type: JSONObject');
  const request = body as Record<string, unknown>;
  const task = request['taskType'];
  const params = task === 'TEXT_IMAGE' ? 'textToImageParams' : task === 'IMAGE_VARIATION' ? 'imageVariationParams' : undefined;
  if (params === undefined) return fail(`#/taskType: ${JSON.stringify(task ?? null)} is not a valid enum value`);
  for (const key of Object.keys(request))
    if (!['taskType', params, 'imageGenerationConfig'].includes(key)) fail(`#: extraneous key [${key}] is not permitted`);
  const taskParams = request[params];
  if (!isRecord(taskParams) || typeof (taskParams as Record<string, unknown>)['text'] !== 'string')
    return fail(`#/${params}/text: expected type: String`);
  if (task === 'IMAGE_VARIATION') {
    const images = (taskParams as Record<string, unknown>)['images'];
    if (!Array.isArray(images) || images.length === 0 || images.some((i) => typeof i !== 'string'))
      fail(`#/${params}/images: expected a non-empty JSONArray of base64 strings`);
  }
  const config = (request['imageGenerationConfig'] ?? {}) as Record<string, unknown>;
  const count = config['numberOfImages'] ?? 1;
  if (typeof count !== 'number' || count < 1 || count > 5) fail('#/imageGenerationConfig/numberOfImages: must be between 1 and 5');
  if (config['quality'] !== undefined && !['standard', 'premium'].includes(String(config['quality'])))
    fail(`#/imageGenerationConfig/quality: ${JSON.stringify(config['quality'])} is not a valid enum value`);
  return { images: Array.from({ length: count as number }, () => MOCK_PNG_BASE64), error: null };
}

// ---- InvokeModel embeddings (Titan Text Embeddings, Cohere Embed) ----

type EmbeddingModelFamily = 'titan-v2' | 'titan' | 'cohere';

function embeddingFamilyOf(modelId: string): EmbeddingModelFamily {
  if (modelId.startsWith('amazon.titan-embed-text-v2')) return 'titan-v2';
  if (modelId.startsWith('amazon.titan-embed')) return 'titan';
  if (modelId.startsWith('cohere.embed')) return 'cohere';
  throw new MockRefusal(400, 'ValidationException', `The mock serves InvokeModel for embedding models only, not ${modelId}.`);
}

const COHERE_INPUT_TYPES = ['search_document', 'search_query', 'classification', 'clustering', 'image'];

function validateInvokeEmbeddingsRequest(family: EmbeddingModelFamily, body: unknown): void {
  const fail = (message: string): never => {
    throw new MockRefusal(400, 'ValidationException', `Malformed input request: ${message}, please reformat your input and try again.`);
  };
  if (!isRecord(body)) return fail('#: expected type: JSONObject');
  const request = body as Record<string, unknown>;
  const allowed =
    family === 'cohere'
      ? ['texts', 'images', 'input_type', 'truncate', 'embedding_types']
      : family === 'titan-v2'
        ? ['inputText', 'dimensions', 'normalize', 'embeddingTypes']
        : ['inputText'];
  for (const key of Object.keys(request)) if (!allowed.includes(key)) fail(`#: extraneous key [${key}] is not permitted`);
  if (family === 'cohere') {
    const texts = request['texts'];
    if (!Array.isArray(texts) || texts.some((text) => typeof text !== 'string')) fail('#/texts: expected type: JSONArray of strings');
    if ((texts as unknown[]).length === 0 || (texts as unknown[]).length > 96)
      fail(`#/texts: expected 1 to 96 items, got ${(texts as unknown[]).length}`);
    if (!COHERE_INPUT_TYPES.includes(String(request['input_type'])))
      fail(`#/input_type: ${JSON.stringify(request['input_type'] ?? null)} is not a valid enum value`);
    if (request['truncate'] !== undefined && !['NONE', 'START', 'END'].includes(String(request['truncate'])))
      fail('#/truncate: is not a valid enum value');
    return;
  }
  if (typeof request['inputText'] !== 'string' || request['inputText'] === '') fail('#/inputText: expected minLength: 1');
  if (request['dimensions'] !== undefined && ![256, 512, 1024].includes(request['dimensions'] as number))
    fail(`#/dimensions: ${String(request['dimensions'])} is not a valid enum value`);
  if (request['normalize'] !== undefined && typeof request['normalize'] !== 'boolean') fail('#/normalize: expected type: Boolean');
}

/** One token per whitespace-separated word: the mock's own rule, so tests can predict usage. */
interface RerankBody {
  queries: Array<{ textQuery: { text: string } }>;
  sources: Array<{ inlineDocumentSource: { textDocument: { text: string } } }>;
  rerankingConfiguration: { bedrockRerankingConfiguration: { numberOfResults?: number; modelConfiguration: { modelArn: string } } };
}

function rerankModelArn(body: unknown): string | undefined {
  return (body as Partial<RerankBody> | undefined)?.rerankingConfiguration?.bedrockRerankingConfiguration?.modelConfiguration?.modelArn;
}

/** The Agent Runtime's Rerank input rules: one TEXT query, 1-1000 INLINE TEXT sources, a model ARN, numberOfResults 1-1000. */
function validateRerankRequest(body: unknown): void {
  const invalid = (message: string): MockRefusal => new MockRefusal(400, 'ValidationException', message);
  const b = body as Record<string, unknown> | undefined;
  const queries = b?.queries;
  if (!Array.isArray(queries) || queries.length !== 1) throw invalid('queries must hold exactly one query');
  const query = queries[0] as { type?: unknown; textQuery?: { text?: unknown } };
  if (query.type !== 'TEXT' || typeof query.textQuery?.text !== 'string') throw invalid('queries[0] must be a TEXT query');
  const sources = b?.sources;
  if (!Array.isArray(sources) || sources.length < 1 || sources.length > 1000) throw invalid('sources must hold 1 to 1000 items');
  for (const source of sources as Array<{ type?: unknown; inlineDocumentSource?: { type?: unknown; textDocument?: { text?: unknown } } }>) {
    if (
      source.type !== 'INLINE' ||
      source.inlineDocumentSource?.type !== 'TEXT' ||
      typeof source.inlineDocumentSource.textDocument?.text !== 'string'
    )
      throw invalid('every source must be an INLINE TEXT document');
  }
  const config = b?.rerankingConfiguration as { type?: unknown; bedrockRerankingConfiguration?: { numberOfResults?: unknown } } | undefined;
  if (config?.type !== 'BEDROCK_RERANKING_MODEL') throw invalid('rerankingConfiguration.type must be BEDROCK_RERANKING_MODEL');
  const arn = rerankModelArn(body);
  if (typeof arn !== 'string' || !arn.startsWith('arn:aws:bedrock:'))
    throw invalid('modelConfiguration.modelArn must be a Bedrock model ARN');
  const count = config.bedrockRerankingConfiguration?.numberOfResults;
  if (count !== undefined && (typeof count !== 'number' || count < 1 || count > 1000)) throw invalid('numberOfResults must be 1 to 1000');
}

/** Each document's share of the query's words, best first, cut to numberOfResults. */
function synthesizeRerank(body: RerankBody): unknown {
  const queryWords = body.queries[0]?.textQuery.text.toLowerCase().split(/\W+/).filter(Boolean) ?? [];
  const results = body.sources.map((source, index) => {
    const words = new Set(source.inlineDocumentSource.textDocument.text.toLowerCase().split(/\W+/));
    return { index, relevanceScore: queryWords.filter((w) => words.has(w)).length / Math.max(1, queryWords.length) };
  });
  results.sort((a, b) => b.relevanceScore - a.relevanceScore);
  return { results: results.slice(0, body.rerankingConfiguration.bedrockRerankingConfiguration.numberOfResults ?? results.length) };
}

export function mockTokenCount(text: string): number {
  return text.split(/\s+/).filter((word) => word !== '').length;
}

/** A deterministic vector for a text: the same text always embeds the same way. */
export function mockEmbedding(text: string, dimensions: number, normalize = true): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block += 1) {
    const digest = createHash('sha256').update(`${block}:${text}`).digest();
    for (let i = 0; i + 1 < digest.length && values.length < dimensions; i += 2) values.push(digest.readUInt16BE(i) / 32768 - 1);
  }
  if (!normalize) return values;
  const length = Math.sqrt(values.reduce((sum, value) => sum + value * value, 0)) || 1;
  return values.map((value) => value / length);
}

function synthesizeEmbeddings(
  family: EmbeddingModelFamily,
  body: Record<string, unknown>,
  requestId: string,
): { json: unknown; headers: Record<string, string> } {
  if (family === 'cohere') {
    const texts = body['texts'] as string[];
    return {
      json: {
        embeddings: texts.map((text) => mockEmbedding(text, 1024)),
        id: requestId,
        response_type: 'embeddings_floats',
        texts: texts.map((text) => text.toLowerCase()),
      },
      headers: { 'x-amzn-bedrock-input-token-count': String(texts.reduce((sum, text) => sum + mockTokenCount(text), 0)) },
    };
  }
  const text = body['inputText'] as string;
  const dimensions = family === 'titan-v2' ? ((body['dimensions'] as number | undefined) ?? 1024) : 1536;
  const embedding = mockEmbedding(text, dimensions, family !== 'titan-v2' || body['normalize'] !== false);
  const tokens = mockTokenCount(text);
  const json =
    family === 'titan-v2'
      ? { embedding, inputTextTokenCount: tokens, embeddingsByType: { float: embedding } }
      : { embedding, inputTextTokenCount: tokens };
  return { json, headers: { 'x-amzn-bedrock-input-token-count': String(tokens) } };
}

// ---- replies ----

function loadCapture(name: string, operation: BedrockOperation): { json?: unknown; events?: ConverseStreamEvent[] } {
  if (operation === 'converse')
    return { json: JSON.parse(readFileSync(wireFixturePath('bedrock-converse', `${name}.json`), 'utf8')) as unknown };
  return { events: parseConverseStreamCapture(readFileSync(wireFixturePath('bedrock-converse', `${name}.chunks.txt`), 'utf8')) };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function sendError(res: ServerResponse, error: BedrockMockError, requestId: string): void {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-amzn-errortype': `${error.type}${ERROR_TYPE_SUFFIX}`,
    'x-amzn-requestid': requestId,
  };
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  res.writeHead(error.status, headers);
  res.end(JSON.stringify({ message: error.message }));
}

function streamEventsFor(reply: BedrockMockReply): ConverseStreamEvent[] | undefined {
  if ('events' in reply) return reply.events;
  if ('response' in reply) return converseStreamEventsFromUnified(reply.response);
  if ('capture' in reply) return loadCapture(reply.capture, 'converse-stream').events;
  return undefined;
}

function converseJsonFor(reply: BedrockMockReply): unknown {
  if ('converse' in reply) return reply.converse;
  if ('response' in reply) return converseResponseFromUnified(reply.response);
  if ('capture' in reply) return loadCapture(reply.capture, 'converse').json;
  return undefined;
}

async function writeStream(res: ServerResponse, reply: BedrockMockReply, events: ConverseStreamEvent[], requestId: string): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': requestId });
  const limit = reply.cutAfter?.events ?? reply.exceptionAfter?.events ?? events.length;
  const frames = events
    .slice(0, limit)
    .map((event, i) =>
      encodeConverseStreamEvent(event, reply.padding ? { padding: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ'.slice(0, (i * 7) % 30) } : {}),
    );
  if (reply.exceptionAfter) frames.push(encodeConverseStreamException(reply.exceptionAfter.type, reply.exceptionAfter.message));
  const nextEvent = events[limit];
  if (reply.cutAfter?.midFrame && nextEvent) {
    const frame = encodeConverseStreamEvent(nextEvent);
    frames.push(frame.subarray(0, Math.floor(frame.length / 2)));
  }
  const writes = reply.chunkSize ? splitBytes(Buffer.concat(frames), reply.chunkSize) : frames;
  for (const bytes of writes) {
    res.write(bytes);
    if (reply.writeDelayMs) await sleep(reply.writeDelayMs);
  }
  if (reply.cutAfter) {
    // Let the written bytes leave before the connection drops.
    await sleep(20);
    res.socket?.destroy();
    return;
  }
  res.end();
}

function splitBytes(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

export async function startBedrockMockServer(options: BedrockMockServerOptions): Promise<BedrockMockServer> {
  const settings = { region: 'us-east-1', service: 'bedrock', maxClockSkewMs: 5 * 60 * 1000, ...options };
  const queue: BedrockMockReply[] = [];
  let defaultReply: BedrockMockReply = { capture: 'amazon-bedrock-text' };
  const calls: BedrockMockCall[] = [];

  const server: MockHttpServer = await startMockHttpServer(async (request, res) => {
    const requestId = randomUUID();
    // The Agent Runtime's Rerank (its own host in AWS; one mock serves both here) names its model in the body.
    const rerank = /^\/rerank(?:\?.*)?$/.test(request.url);
    const route = rerank ? ['', undefined, 'rerank'] : /^\/model\/([^/?]+)\/(converse|converse-stream|invoke)(?:\?.*)?$/.exec(request.url);
    const call: BedrockMockCall = {
      operation: route?.[2] as BedrockOperation | undefined,
      modelId: rerank ? rerankModelArn(request.json) : route?.[1] === undefined ? undefined : decodeURIComponent(route[1]),
      body: request.json,
      headers: request.headers,
      status: 200,
    };
    calls.push(call);
    const refuse = (status: number, type: string, message: string): void => {
      call.status = status;
      call.errorType = type;
      call.errorMessage = message;
      sendError(res, { status, type, message }, requestId);
    };
    try {
      if (request.method !== 'POST' || !route || !call.operation)
        throw new MockRefusal(404, 'UnknownOperationException', `No operation at ${request.method} ${request.url}`);
      verifySignature(request, settings);
      if (options.knownModels && !options.knownModels.includes(call.modelId ?? ''))
        throw new MockRefusal(404, 'ResourceNotFoundException', 'The provided model identifier is invalid.');
      if (call.operation === 'invoke' && isTitanImageModel(call.modelId ?? '')) titanImages(request.json);
      else if (call.operation === 'invoke') validateInvokeEmbeddingsRequest(embeddingFamilyOf(call.modelId ?? ''), request.json);
      else if (call.operation === 'rerank') validateRerankRequest(request.json);
      else validateConverseRequest(request.json);
    } catch (error) {
      if (error instanceof MockRefusal) return refuse(error.status, error.type, error.message);
      throw error;
    }

    const reply = queue.shift() ?? defaultReply;
    if (reply.delayMs) await sleep(reply.delayMs);
    if ('error' in reply) {
      call.status = reply.error.status;
      call.errorType = reply.error.type;
      call.errorMessage = reply.error.message;
      return sendError(res, reply.error, requestId);
    }
    if (call.operation === 'invoke') {
      const answer =
        'invoke' in reply
          ? { json: reply.invoke, headers: {} }
          : isTitanImageModel(call.modelId ?? '')
            ? { json: titanImages(request.json), headers: {} }
            : synthesizeEmbeddings(embeddingFamilyOf(call.modelId ?? ''), request.json as Record<string, unknown>, requestId);
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': requestId, ...answer.headers });
      res.end(JSON.stringify(answer.json));
      return;
    }
    if (call.operation === 'rerank') {
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': requestId });
      res.end(JSON.stringify('rerank' in reply ? reply.rerank : synthesizeRerank(request.json as RerankBody)));
      return;
    }
    if (call.operation === 'converse-stream') {
      const events = streamEventsFor(reply);
      if (!events) return refuse(500, 'InternalServerException', 'mock reply has no stream form');
      return writeStream(res, reply, events, requestId);
    }
    const json = converseJsonFor(reply);
    if (json === undefined) return refuse(500, 'InternalServerException', 'mock reply has no JSON form');
    res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': requestId });
    res.end(JSON.stringify(json));
  });

  return {
    url: server.url,
    calls,
    enqueue: (...replies) => {
      queue.push(...replies);
    },
    setDefaultReply: (reply) => {
      defaultReply = reply;
    },
    close: () => server.close(),
  };
}
