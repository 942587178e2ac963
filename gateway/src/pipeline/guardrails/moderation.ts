// The moderation check: the texts a check covers go to the check's model through the gateway's
// own /v1/moderations pipeline (exchange.moderate, pipeline/moderator.ts); any text flagged is a
// `block` verdict, which the check's action turns into a refusal or a log. A timeout, a refusal
// (the key may not use the model, its provider has no moderations API) or an upstream failure is
// a failure, handled by failurePolicy like a webhook's. Empty texts are not sent.
import { GatewayError } from '../../errors/gateway-error.js';
import type { Exchange } from '../exchange.js';
import type { RuntimeCheck } from './guardrail-set.js';
import type { Verdict } from './scan.js';

export async function askModeration(check: RuntimeCheck, texts: string[], exchange: Exchange): Promise<Verdict | string> {
  const compiled = check.compiled;
  if (compiled.type !== 'moderation') return 'not a moderation check';
  const sent = texts.filter((text) => text.length > 0);
  if (sent.length === 0) return { verdict: 'allow' };
  if (exchange.moderate === undefined) return 'moderation is not available here';
  const signal = AbortSignal.any([AbortSignal.timeout(compiled.timeoutMs), exchange.clientGone.signal]);
  try {
    const answer = await exchange.moderate(exchange, compiled.model, sent, signal);
    if (answer.results.length !== sent.length)
      return `the moderation model answered ${answer.results.length} results for ${sent.length} texts`;
    return answer.results.some((result) => result.flagged) ? { verdict: 'block' } : { verdict: 'allow' };
  } catch (error) {
    if (signal.aborted && !exchange.clientGone.signal.aborted)
      return `the moderation model ${compiled.model} did not answer within ${compiled.timeoutMs} ms`;
    // The gateway's own refusal says why (a model the key may not use, a provider without
    // moderations); an upstream's words are not repeated to the caller.
    const why =
      error instanceof GatewayError && (error.kind === 'invalid_request' || error.kind === 'not_found') ? `: ${error.message}` : '';
    return `the moderation call to model ${compiled.model} failed${why}`;
  }
}
