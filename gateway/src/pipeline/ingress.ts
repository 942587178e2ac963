// Stage 1, ingress: read the body once (bounded by --max-body-bytes), parse it once, check its
// nesting depth, and let the front door decode it into the unified request.
import type { IncomingMessage } from 'node:http';
import { GatewayError, invalidRequest } from '../errors/gateway-error.js';
import { reflected } from '../errors/reflected-input.js';
import type { EmbeddingsFrontDoor, ModerationsFrontDoor, RerankFrontDoor } from '../frontdoors/front-door.js';
import type { CountTokensCodec, FrontDoorContext } from '../unified/front-door-codec.js';
import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../unified/chat-request.js';
import type { UnifiedModerationsRequest } from '../unified/moderations.js';
import type { UnifiedRerankRequest } from '../unified/rerank.js';

function payloadTooLarge(maxBytes: number): GatewayError {
  return new GatewayError('payload_too_large', `request body exceeds the ${maxBytes}-byte limit (--max-body-bytes)`);
}

/** Refuses an oversized body from its content-length before reading a byte of it. */
export function checkDeclaredLength(req: IncomingMessage, maxBytes: number): void {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) throw payloadTooLarge(maxBytes);
}

/**
 * One body read in progress, kept on the request under a private symbol. The listeners are shared
 * functions (no closures per request), and the read's state is cut loose from the request as
 * soon as it settles: node:http keeps the listeners on the request for as long as the request
 * lives (until its answer is written), and the chunks and promise callbacks they reached were
 * otherwise alive across every garbage collection while the request waited on the upstream
 * (docs/benchmarks.md, "Survivors per request").
 */
interface BodyRead {
  chunks: Buffer[];
  received: number;
  readonly maxBytes: number;
  readonly resolve: (body: Buffer) => void;
  readonly reject: (error: GatewayError) => void;
}

const BODY_READ = Symbol('switchyard.bodyRead');
/** The read in progress; null: the listeners are still attached but the read is over; undefined: no listeners. */
type ReadingMessage = IncomingMessage & { [BODY_READ]?: BodyRead | null | undefined };

function finishRead(req: ReadingMessage, error: GatewayError | undefined): void {
  const read = req[BODY_READ];
  if (read === undefined || read === null) return;
  req[BODY_READ] = null;
  if (error) {
    req[BODY_READ] = undefined;
    req.off('data', onBodyData);
    req.off('end', onBodyEnd);
    req.off('error', onBodyError);
    req.off('close', onBodyClose);
    read.reject(error);
    return;
  }
  // After 'end' only 'close' (and perhaps 'error') can follow and find no read in progress:
  // leaving the listeners saves four removals per request on the hot path, and they hold nothing.
  const { chunks } = read;
  read.resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, read.received));
}

function onBodyData(this: ReadingMessage, chunk: Buffer): void {
  const read = this[BODY_READ];
  if (read === undefined || read === null) return;
  read.received += chunk.length;
  // The rest of the body is discarded by node:http once the 413 is sent.
  if (read.received > read.maxBytes) finishRead(this, payloadTooLarge(read.maxBytes));
  else read.chunks.push(chunk);
}

function onBodyEnd(this: ReadingMessage): void {
  finishRead(this, undefined);
}

// Checked before building the error: 'close' follows every successful read too.
function onBodyError(this: ReadingMessage): void {
  if (this[BODY_READ]) finishRead(this, invalidRequest('request body could not be read'));
}

// A connection that drops mid-body may close without an error event.
function onBodyClose(this: ReadingMessage): void {
  if (this[BODY_READ]) finishRead(this, invalidRequest('request body was cut short'));
}

export function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const reading = req as ReadingMessage;
    // A second read of the same request finds the shared listeners still attached (null).
    const attached = reading[BODY_READ] === null;
    reading[BODY_READ] = { chunks: [], received: 0, maxBytes, resolve, reject };
    if (attached) return;
    reading.on('data', onBodyData);
    reading.on('end', onBodyEnd);
    reading.on('error', onBodyError);
    reading.on('close', onBodyClose);
  });
}

/** Read (bounded) and parse a JSON object body: ingress for endpoints without a chat codec (`/mcp`). */
export async function readJsonObjectBody(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  return parseRequestBody(await readRequestBody(req, maxBytes));
}

export function parseRequestBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) throw invalidRequest('request body is empty; expected a JSON object');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw invalidRequest(`request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidRequest(
      `request body must be a JSON object, got ${Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : typeof parsed}`,
    );
  }
  checkNestingDepth(parsed as Record<string, unknown>);
  return parsed as Record<string, unknown>;
}

/**
 * How deeply a request body's objects and arrays may nest (the body itself is level 1). The
 * decoders, the token estimators and the provider encoders walk JSON schemas and content
 * recursively; a body thousands of levels deep overflowed the stack in them and answered 500.
 * Real requests (tool schemas included) stay well below this. docs/configuration.md, "Request
 * nesting depth".
 */
export const MAX_JSON_DEPTH = 128;

/** One container met by the depth walk; `parent` and `key` rebuild its path only when it is too deep. */
interface NestingFrame {
  readonly value: object;
  readonly depth: number;
  readonly key: string | number | undefined;
  readonly parent: NestingFrame | undefined;
}

/**
 * Refuses a body nested deeper than `MAX_JSON_DEPTH`, naming the first field found too deep.
 * The walk keeps its own stack, so it cannot overflow on the input it exists to refuse; only
 * containers are pushed, so a long array of numbers costs one type check per element.
 */
function checkNestingDepth(body: Record<string, unknown>): void {
  const stack: NestingFrame[] = [{ value: body, depth: 1, key: undefined, parent: undefined }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const childDepth = frame.depth + 1;
    if (Array.isArray(frame.value)) {
      const items = frame.value as unknown[];
      for (let index = 0; index < items.length; index++) {
        const item = items[index];
        if (typeof item !== 'object' || item === null) continue;
        const child: NestingFrame = { value: item, depth: childDepth, key: index, parent: frame };
        if (childDepth > MAX_JSON_DEPTH) throw tooDeep(child);
        stack.push(child);
      }
    } else {
      const fields = frame.value as Record<string, unknown>;
      for (const key in fields) {
        const item = fields[key];
        if (typeof item !== 'object' || item === null) continue;
        const child: NestingFrame = { value: item, depth: childDepth, key, parent: frame };
        if (childDepth > MAX_JSON_DEPTH) throw tooDeep(child);
        stack.push(child);
      }
    }
  }
}

function tooDeep(frame: NestingFrame): GatewayError {
  const keys: Array<string | number> = [];
  for (let at: NestingFrame | undefined = frame; at?.key !== undefined; at = at.parent) keys.push(at.key);
  keys.reverse();
  // `messages[2].content`, the way the decoders name fields; cut short, since the path is as long as
  // the nesting and its keys are the caller's.
  const path = reflected(keys.map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? key : `.${key}`)).join(''));
  return invalidRequest(`request body is nested deeper than ${MAX_JSON_DEPTH} levels (the limit on JSON nesting) at ${path}`, path);
}

export async function ingestEmbeddingsRequest(
  req: IncomingMessage,
  frontDoor: EmbeddingsFrontDoor,
  context: FrontDoorContext,
  maxBodyBytes: number,
): Promise<UnifiedEmbeddingsRequest> {
  const body = parseRequestBody(await readRequestBody(req, maxBodyBytes));
  return frontDoor.decodeEmbeddingsRequest(body, context);
}

export async function ingestModerationsRequest(
  req: IncomingMessage,
  frontDoor: ModerationsFrontDoor,
  context: FrontDoorContext,
  maxBodyBytes: number,
): Promise<UnifiedModerationsRequest> {
  const body = parseRequestBody(await readRequestBody(req, maxBodyBytes));
  return frontDoor.decodeModerationsRequest(body, context);
}

export async function ingestRerankRequest(
  req: IncomingMessage,
  frontDoor: RerankFrontDoor,
  context: FrontDoorContext,
  maxBodyBytes: number,
): Promise<UnifiedRerankRequest> {
  const body = parseRequestBody(await readRequestBody(req, maxBodyBytes));
  return frontDoor.decodeRerankRequest(body, context);
}

export async function ingestCountTokensRequest(
  req: IncomingMessage,
  codec: CountTokensCodec,
  context: FrontDoorContext,
  maxBodyBytes: number,
): Promise<UnifiedChatRequest> {
  const body = parseRequestBody(await readRequestBody(req, maxBodyBytes));
  return codec.decodeCountTokensRequest(body, context);
}
