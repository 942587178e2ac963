// The `openai` provider: OpenAI's Chat Completions and Embeddings APIs.

import type { HttpProviderAdapter } from '../provider-adapter.js';
import { createOpenAIFamilyAdapter } from '../openai-family-adapter.js';
import { OPENAI_DIALECT } from '../../wire/openai-chat/index.js';

export const openaiAdapter: HttpProviderAdapter = createOpenAIFamilyAdapter({ provider: 'openai', dialect: OPENAI_DIALECT });
