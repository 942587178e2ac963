// The `openai` provider: OpenAI's Chat Completions and Embeddings APIs.

import type { HttpProviderAdapter } from '../provider-adapter.js';
import { createOpenAIFamilyAdapter } from '../openai-family-adapter.js';
import { OPENAI_DIALECT } from '../../wire/openai-chat/openai-dialect.js';

export const openaiAdapter: HttpProviderAdapter = createOpenAIFamilyAdapter({ provider: 'openai', dialect: OPENAI_DIALECT });

export { createOpenAIFamilyAdapter, bearerEndpoint, type OpenAIFamilyEndpoint } from '../openai-family-adapter.js';
export { OPENAI_DIALECT, type OpenAIDialect } from '../../wire/openai-chat/openai-dialect.js';
export { OpenAIStreamDecoder } from '../../wire/openai-chat/openai-chat-stream-decoder.js';
