// Stage 9, settle: the real usage and its cost go to metrics and back to whatever admission
// reserved (rate-limit tokens, budget reservations). Runs once per request, failed ones included.
import { emptyUsage } from '@switchyard/compiler';
import { exchangeCostNanos } from '../governance/cost/exchange-cost.js';
import { estimateChatPromptTokens, isChatRequest } from '../governance/cost/estimate-prompt-tokens.js';
import type { Admission } from '../governance/admission-control.js';
import type { Exchange } from './exchange.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { requestLabels } from './observe.js';

/**
 * Characters of streamed output per token for the estimate of a cut stream: the usual rule of
 * thumb for English text with the tokenizers of the supported providers. Each delta event also
 * counts as at least one token (upstreams stream a token or more per delta), which keeps the
 * estimate from falling short on text that tokenizes densely (code, non-Latin scripts).
 */
const CHARS_PER_OUTPUT_TOKEN = 4;

export function settle(deps: PipelineDeps, exchange: Exchange, admission: Admission | undefined): void {
  if (exchange.settled) return;
  exchange.settled = true;
  if (exchange.cut !== undefined && exchange.firstEventAt !== undefined) estimateStreamedUsage(exchange);
  const labels = requestLabels(exchange);
  if (exchange.usage !== undefined) deps.metrics.usage(labels, exchange.usage);
  const costNanos = exchangeCostNanos(exchange);
  if (costNanos !== undefined) deps.costs?.costed(labels.route, labels.backend, labels.key, costNanos);
  // A stream that began but ended without usage (client gone, upstream broke) was still billed upstream.
  const usageLost = exchange.usage === undefined && exchange.firstEventAt !== undefined;
  admission?.settle(exchange.usage, { ...(costNanos === undefined ? {} : { costNanos }), usageLost });
}

/**
 * A stream the gateway itself cut (shutdown, a client that stopped reading) before the upstream's
 * usage arrived (every provider reports it at the end) is charged for what it streamed, never
 * for the whole reservation: the prompt the upstream read, by the gateway's prompt estimate (the
 * one admission reserved), and the output the stream chain counted so far (count-stream-usage.ts).
 */
function estimateStreamedUsage(exchange: Exchange): void {
  if (exchange.usage !== undefined) return;
  const request = exchange.request;
  exchange.usage = {
    ...emptyUsage(),
    inputTokens: request === undefined || !isChatRequest(request) ? 0 : estimateChatPromptTokens(request),
    outputTokens: Math.max(exchange.streamedDeltas, Math.ceil(exchange.streamedChars / CHARS_PER_OUTPUT_TOKEN)),
  };
  exchange.costNanos = undefined;
  exchange.usageEstimated = true;
}
