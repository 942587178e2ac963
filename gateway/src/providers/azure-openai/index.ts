// The `azure-openai` provider: OpenAI's wire format on Azure's deployment URLs. Content-filter
// outcomes need no special casing: a filtered completion ends with finish_reason
// `content_filter` (unified `content_filter`), a filtered prompt is a 400 with code
// `content_filter` (BadRequest, passed through to the caller with Azure's message).

import type { HttpProviderAdapter } from '../provider-adapter.js';
import { createOpenAIFamilyAdapter } from '../openai-family-adapter.js';
import { OPENAI_DIALECT, type OpenAIDialect } from '../../wire/openai-chat/index.js';
import { azureOpenAIEndpoint } from './azure-openai-endpoint.js';
import { azureOpenAIRealtimeUpstream } from './azure-openai-realtime-upstream.js';

/**
 * Azure serves OpenAI's models with OpenAI's parameters (max_completion_tokens needs api-version
 * 2024-09-01-preview or later) but lags on the newest: no explicit prompt-cache breakpoints.
 * `prompt_cache_key` and `prompt_cache_retention` are Azure's too (its prompt-caching guide).
 */
const AZURE_OPENAI_DIALECT: OpenAIDialect = { ...OPENAI_DIALECT, promptCacheBreakpoints: false };

export const azureOpenAIAdapter: HttpProviderAdapter = {
  ...createOpenAIFamilyAdapter({ provider: 'azure-openai', dialect: AZURE_OPENAI_DIALECT, endpoint: azureOpenAIEndpoint }),
  realtimeUpstream: azureOpenAIRealtimeUpstream,
};

export { AzureConfigurationError } from './azure-openai-endpoint.js';
