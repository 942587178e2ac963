// Stage 7 for the audio endpoints: one attempt. Whole answers (transcriptions without `stream`)
// are read bounded by --max-response-bytes, usage taken from them, and returned; streamed ones
// (speech, streamed transcriptions) return at the upstream's 2xx head, so a failing backend is
// still retried or fallen over, and their bytes are then passed through as they arrive.
import { UnsupportedFeatureError } from '../errors/unsupported-feature-error.js';
import { UpstreamFailure } from '../errors/upstream-failure.js';
import { classifyTransportError } from '../transport/transport-errors.js';
import type { UnifiedAudioAnswer, UnifiedAudioRequest } from '../unified/audio.js';
import type { UpstreamHeaders } from '../unified/provider-codec.js';
import { audioUnitOf, estimateAudioUsage, SseUsageScanner, transcriptionUsage } from '../wire/audio/index.js';
import { AttemptScope } from './attempt-scope.js';
import { attemptError, authorize, send, sendBuffered, type UpstreamCall } from './call-upstream.js';

function streams(request: UnifiedAudioRequest): boolean {
  return request.audio === 'speech' || request.stream;
}

function headerText(headers: UpstreamHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export async function callAudio(call: UpstreamCall, request: UnifiedAudioRequest): Promise<UnifiedAudioAnswer> {
  const scope = new AttemptScope(call.clientSignal, call.timeouts);
  let streaming = false;
  try {
    const { adapter } = call;
    if (adapter.kind === 'in-process' || adapter.encodeAudioRequest === undefined)
      throw new UnsupportedFeatureError(`audio ${request.audio} (/v1/audio/${request.audio})`, adapter.provider);
    const unit = audioUnitOf(adapter.provider, call.target.backend.model, request);
    const upstreamRequest = adapter.encodeAudioRequest(request, call.target);
    const firstByteOpen = adapter.authorizeRequest !== undefined && (await authorize(adapter, call, upstreamRequest, scope));
    if (streams(request)) {
      const response = await send(call, upstreamRequest, scope, firstByteOpen);
      const contentType = headerText(response.headers, 'content-type') ?? 'application/octet-stream';
      const scanner = new SseUsageScanner(unit);
      const sse = contentType.startsWith('text/event-stream');
      const body = response.body[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
      let closed = false;
      const close = (): void => {
        if (closed) return;
        closed = true;
        scope.dispose();
        response.body.destroy();
      };
      const chunks: AsyncIterator<Uint8Array> = {
        async next() {
          if (closed) return { done: true, value: undefined };
          let chunk: IteratorResult<Uint8Array>;
          try {
            // The body ends with an error when the attempt aborts, so the idle deadline needs no race.
            chunk = await scope.bounded(body.next(), call.timeouts.streamIdleMs, 'streamIdle');
          } catch (error) {
            const explained = attemptError(classifyTransportError(scope.explain(error), call.timeouts), call, scope);
            close();
            throw explained;
          }
          if (chunk.done) close();
          else if (sse) scanner.push(chunk.value);
          return chunk;
        },
      };
      streaming = true;
      return {
        kind: 'stream',
        contentType,
        chunks,
        close,
        usage: () => {
          const reported = scanner.usage();
          if (reported !== undefined) return reported;
          // Speech billed per character is known exactly from the request.
          const estimate = estimateAudioUsage(request, unit);
          return unit === 'character' ? { ...estimate, estimated: false } : estimate;
        },
      };
    }
    const whole = await sendBuffered(call, upstreamRequest, scope, firstByteOpen);
    const contentType = headerText(whole.headers, 'content-type') ?? 'application/json';
    if (adapter.decodeAudioResponse !== undefined) {
      const decode = adapter.decodeAudioResponse.bind(adapter);
      let parsed: unknown;
      try {
        parsed = JSON.parse(whole.body.toString('utf8'));
      } catch {
        throw new UpstreamFailure('Other', whole.status, 'upstream answered with a body that is not JSON');
      }
      const decoded = decode(parsed, request, call.target);
      return {
        kind: 'whole',
        contentType: decoded.contentType,
        body: Buffer.from(decoded.body, 'utf8'),
        usage: decoded.usage ?? estimateAudioUsage(request, unit),
      };
    }
    return {
      kind: 'whole',
      contentType,
      body: whole.body,
      usage: transcriptionUsage(request, unit, contentType, whole.body),
    };
  } catch (error) {
    throw attemptError(error, call, scope);
  } finally {
    if (!streaming) scope.dispose();
  }
}
