import { randomBytes } from 'node:crypto';

/**
 * OpenAI clients expect `chatcmpl-` ids. An upstream id that already has the prefix is kept
 * (so it can be correlated with the provider's logs); others are prefixed.
 */
export function chatCompletionId(upstreamId: string | undefined): string {
  if (upstreamId?.startsWith('chatcmpl-')) return upstreamId;
  if (upstreamId && /^[A-Za-z0-9_.-]{1,200}$/.test(upstreamId)) return `chatcmpl-${upstreamId}`;
  return `chatcmpl-${randomBytes(12).toString('base64url')}`;
}
