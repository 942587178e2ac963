// /v1/audio/transcriptions, /v1/audio/translations and /v1/audio/speech: authorized against the
// key's allow-list by the form's (or body's) `model`, rate-limited and admitted on a bound in the
// backends' billing units (audio seconds or tokens from the upload's size, characters of the
// text to speak), routed, retried and fallen over until the upstream's answer begins, never
// cached, and not checked by guardrails (audio is no text they can read; docs/guardrails.md).
// Whole answers go out with the cost header; streamed ones (speech, `stream=true`
// transcriptions) pass through chunk by chunk, with backpressure, and are settled at their end.
import { emptyUsage } from '@switchyard/compiler';
import { GatewayError } from '../errors/gateway-error.js';
import type { AudioEndpoint, AudioUsage, UnifiedAudioAnswer, UnifiedAudioRequest } from '../unified/audio.js';
import { checkDeclaredUploadLength, decodeSpeechRequest, decodeTranscriptionRequest, readMultipartForm } from '../wire/audio/index.js';
import { callAudio } from './call-audio.js';
import { ClientDisconnectedError, type Exchange } from './exchange.js';
import { checkDeclaredLength, readJsonObjectBody } from './ingress.js';
import { type Endpoint, noLocalAnswer, type OperationPlan } from './operations.js';
import { gatewayHeaders, sendBody, writeStreamHead } from './respond.js';

/** OpenAI's own limit on an audio file (25 MB); --max-audio-upload-bytes changes it. */
export const DEFAULT_MAX_AUDIO_UPLOAD_BYTES = 25 * 1024 * 1024;
/** nginx's "client closed the request", as the other streams log it. */
const CLIENT_CLOSED_STATUS = 499;
const DEFAULT_WRITE_STALL_MS = 60_000;

type AudioPlan = OperationPlan<Endpoint<AudioEndpoint>, UnifiedAudioRequest, UnifiedAudioAnswer>;

export function createAudioOperations(maxUploadBytes = DEFAULT_MAX_AUDIO_UPLOAD_BYTES): Record<AudioEndpoint, AudioPlan> {
  const speech = plan('speech', true, async (exchange, maxBodyBytes) =>
    decodeSpeechRequest(await readJsonObjectBody(exchange.req, maxBodyBytes)),
  );
  const upload = (endpoint: 'transcriptions' | 'translations'): AudioPlan =>
    // The upload has its own limit, so the body-size check of other endpoints is not applied to it.
    plan(endpoint, false, async (exchange) => {
      checkDeclaredUploadLength(exchange.req, maxUploadBytes);
      return decodeTranscriptionRequest(await readMultipartForm(exchange.req, maxUploadBytes), endpoint);
    });
  return { transcriptions: upload('transcriptions'), translations: upload('translations'), speech };
}

function plan(
  name: AudioEndpoint,
  readsBody: boolean,
  ingest: (exchange: Exchange, maxBodyBytes: number) => Promise<UnifiedAudioRequest>,
): AudioPlan {
  return {
    name,
    traced: name,
    readsBody,
    ingest: (exchange, _endpoint, _context, maxBodyBytes) => {
      if (readsBody) checkDeclaredLength(exchange.req, maxBodyBytes);
      return ingest(exchange, maxBodyBytes);
    },
    streams: (request) => request.audio === 'speech' || request.stream,
    checked: () => undefined,
    admits: true,
    cache: undefined,
    call: callAudio,
    answerHere: noLocalAnswer,
    record(exchange, answer) {
      // A stream's usage is known at its end (pipeThrough).
      if (answer.kind === 'whole') recordUsage(exchange, answer.usage);
    },
    whole: () => undefined,
    respond(exchange, _endpoint, answer) {
      if (answer.kind === 'whole') {
        const headers = gatewayHeaders(exchange, answer.contentType);
        sendBody(exchange, 200, headers, answer.body);
        return;
      }
      return pipeThrough(exchange, answer);
    },
  };
}

/** Usage in the model's billing unit, where the backend's per-million prices apply (see the price catalog). */
function recordUsage(exchange: Exchange, usage: AudioUsage): void {
  exchange.usage = { ...emptyUsage(), inputTokens: usage.input, outputTokens: usage.output };
  exchange.usageEstimated = usage.estimated;
  exchange.costNanos = undefined;
}

/** The upstream's bytes to the caller as they come, waiting for the caller to take each write. */
async function pipeThrough(exchange: Exchange, answer: Extract<UnifiedAudioAnswer, { kind: 'stream' }>): Promise<void> {
  const { res } = exchange;
  writeStreamHead(exchange, answer.contentType);
  try {
    for (;;) {
      const chunk = await answer.chunks.next();
      if (chunk.done === true) break;
      exchange.firstEventAt ??= performance.now();
      if (!res.write(chunk.value)) await drained(exchange);
    }
    recordUsage(exchange, answer.usage());
    exchange.settleBeforeLastByte?.();
    res.end();
  } catch (error) {
    answer.close();
    // What was streamed was billed upstream: charged on the usage known so far, else the estimate.
    if (exchange.firstEventAt !== undefined) recordUsage(exchange, answer.usage());
    if (error instanceof ClientDisconnectedError || exchange.clientGone.signal.aborted) {
      exchange.status = CLIENT_CLOSED_STATUS;
      if (!res.writableEnded) res.destroy();
      return;
    }
    // The head is out: the failure can only be told by cutting the body short.
    exchange.streamFailure = error instanceof Error ? error.message : 'stream failed';
    exchange.error = new GatewayError('upstream_failed', `upstream audio stream failed after it began: ${exchange.streamFailure}`, {
      code: 'upstream_stream_failed',
    });
    res.destroy();
  }
}

/** Bounded by the route's stream-idle timeout: a caller that takes nothing for that long is cut. */
function drained(exchange: Exchange): Promise<void> {
  return new Promise((resolve, reject) => {
    const { res, clientGone } = exchange;
    const stallMs = exchange.route?.compiled.timeouts.streamIdleMs ?? DEFAULT_WRITE_STALL_MS;
    const done = (): void => {
      clearTimeout(timer);
      res.off('drain', onDrain);
      clientGone.removeEventListener('abort', onAbort);
    };
    const onDrain = (): void => {
      done();
      resolve();
    };
    const onAbort = (): void => {
      done();
      reject(new ClientDisconnectedError());
    };
    const timer = setTimeout(() => {
      done();
      exchange.cut = 'write_stall';
      reject(new Error(`the client took no write for ${stallMs} ms (the route's timeouts.streamIdle); stream cut`));
    }, stallMs);
    if (clientGone.aborted) return onAbort();
    res.once('drain', onDrain);
    clientGone.addEventListener('abort', onAbort, { once: true });
  });
}
