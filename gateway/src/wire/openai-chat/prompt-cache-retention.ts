// `prompt_cache_retention` (Chat Completions and Responses): how long OpenAI may keep the prompt's
// cached prefix. Carried to the providers that take it (OpenAI, Azure OpenAI) and dropped for
// the rest, which choose their own cache lifetimes (docs/compatibility.md, "Prompt-cache hints").

import type { UnifiedChatRequest } from '../../unified/chat-request.js';

type Retention = 'in_memory' | '24h';

/**
 * The field was ignored before it was carried, so a value the spec does not define is still
 * ignored rather than refused. `in-memory` is the spelling OpenAI's SDKs briefly shipped.
 */
function decodePromptCacheRetention(value: unknown): Retention | undefined {
  if (value === 'in_memory' || value === 'in-memory') return 'in_memory';
  if (value === '24h') return '24h';
  return undefined;
}

/** Sets providerOptions.openai.promptCacheRetention on `request` when the body carried one. */
export function carryPromptCacheRetention(request: UnifiedChatRequest, value: unknown): void {
  const retention = decodePromptCacheRetention(value);
  if (retention === undefined) return;
  request.providerOptions = { ...request.providerOptions, openai: { ...request.providerOptions?.openai, promptCacheRetention: retention } };
}
