// Stage 1, ingress: read the body once (bounded by --max-body-bytes), parse it once, and let
// the front door decode it into the unified request.
import type { IncomingMessage } from 'node:http';
import { GatewayError, invalidRequest } from '../errors/gateway-error.js';
import type { ChatFrontDoor, EmbeddingsFrontDoor } from '../frontdoors/front-door.js';
import type { CountTokensCodec, FrontDoorContext } from '../unified/front-door-codec.js';
import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../unified/chat-request.js';

function payloadTooLarge(maxBytes: number): GatewayError {
  return new GatewayError('payload_too_large', `request body exceeds the ${maxBytes}-byte limit (--max-body-bytes)`);
}

/** Refuses an oversized body from its content-length before reading a byte of it. */
export function checkDeclaredLength(req: IncomingMessage, maxBytes: number): void {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) throw payloadTooLarge(maxBytes);
}

function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolveBody, rejectBody) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const finish = (error: GatewayError | undefined): void => {
      if (settled) return;
      settled = true;
      if (error) {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
        req.off('close', onClose);
        rejectBody(error);
      } else {
        // After 'end' only 'close' (and perhaps 'error') can follow, and `settled` makes them
        // no-ops: leaving the listeners saves four removals per request on the hot path.
        resolveBody(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, received));
      }
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      // The rest of the body is discarded by node:http once the 413 is sent.
      if (received > maxBytes) finish(payloadTooLarge(maxBytes));
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined);
    // Checked before building the error: 'close' follows every successful read too.
    const onError = (): void => {
      if (!settled) finish(invalidRequest('request body could not be read'));
    };
    // A connection that drops mid-body may close without an error event.
    const onClose = (): void => {
      if (!settled) finish(invalidRequest('request body was cut short'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

function parseJsonObject(body: Buffer): Record<string, unknown> {
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
  return parsed as Record<string, unknown>;
}

export async function ingestChatRequest(
  req: IncomingMessage,
  frontDoor: ChatFrontDoor,
  context: FrontDoorContext,
  maxBodyBytes: number,
): Promise<UnifiedChatRequest> {
  const body = parseJsonObject(await readRequestBody(req, maxBodyBytes));
  return frontDoor.decodeChatRequest(body, context);
}

export async function ingestEmbeddingsRequest(
  req: IncomingMessage,
  frontDoor: EmbeddingsFrontDoor,
  context: FrontDoorContext,
  maxBodyBytes: number,
): Promise<UnifiedEmbeddingsRequest> {
  const body = parseJsonObject(await readRequestBody(req, maxBodyBytes));
  return frontDoor.decodeEmbeddingsRequest(body, context);
}

export async function ingestCountTokensRequest(
  req: IncomingMessage,
  codec: CountTokensCodec,
  context: FrontDoorContext,
  maxBodyBytes: number,
): Promise<UnifiedChatRequest> {
  const body = parseJsonObject(await readRequestBody(req, maxBodyBytes));
  return codec.decodeCountTokensRequest(body, context);
}
