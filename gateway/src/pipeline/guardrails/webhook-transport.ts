// How webhook checks reach their service: through the gateway's upstream transport, like
// provider and MCP calls, so the egress guard (--deny-upstream-cidrs, by literal address and by
// resolved name) applies and redirects are never followed. Without it, whoever may write a
// GuardrailPolicy could make the gateway POST prompts to any address it can reach, cloud
// metadata endpoints included. The answer is read up to MAX_WEBHOOK_ANSWER_BYTES.
import type { UpstreamTransport } from '../../transport/upstream-transport.js';
import type { WebhookPoster } from '../exchange.js';

/** The largest webhook answer read (docs/guardrails.md); a larger one is a failure. */
const MAX_WEBHOOK_ANSWER_BYTES = 4 * 1024 * 1024;

class WebhookAnswerTooLargeError extends Error {
  readonly code = 'SWITCHYARD_WEBHOOK_ANSWER_TOO_LARGE';
}

export function createWebhookPoster(transport: UpstreamTransport): WebhookPoster {
  return async (url, body, timeoutMs, signal) => {
    const response = await transport.send(
      { url, method: 'POST', headers: { 'content-type': 'application/json' }, body },
      { connectMs: timeoutMs, bodyIdleMs: timeoutMs },
      signal,
    );
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_WEBHOOK_ANSWER_BYTES) {
        response.body.destroy();
        throw new WebhookAnswerTooLargeError(`the webhook answer is larger than ${MAX_WEBHOOK_ANSWER_BYTES} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return { status: response.status, text: Buffer.concat(chunks).toString('utf8') };
  };
}

/** Why a webhook could not be asked ("the webhook ..."), for the caller's error: never the address the egress guard refused. */
export function webhookFailure(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'SWITCHYARD_EGRESS_DENIED') return 'was refused by the egress guard: its address is in --deny-upstream-cidrs';
  if (code === 'SWITCHYARD_WEBHOOK_ANSWER_TOO_LARGE') return `answered more than ${MAX_WEBHOOK_ANSWER_BYTES} bytes`;
  return `could not be reached (${typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown error'})`;
}
