// The `openai` provider: OpenAI's Chat Completions and Embeddings APIs, and its realtime socket.

import type { HttpProviderAdapter } from '../provider-adapter.js';
import { createOpenAIFamilyAdapter } from '../openai-family-adapter.js';
import { OPENAI_DIALECT } from '../../wire/openai-chat/index.js';
import { openAIRealtimeUpstream } from './openai-realtime-upstream.js';

export const openaiAdapter: HttpProviderAdapter = {
  ...createOpenAIFamilyAdapter({ provider: 'openai', dialect: OPENAI_DIALECT }),
  realtimeUpstream: openAIRealtimeUpstream,
};
