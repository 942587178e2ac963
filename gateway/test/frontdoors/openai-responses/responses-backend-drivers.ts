// One running gateway with a route to every backend family in the tree (the in-process mock
// provider, and OpenAI, Anthropic, Gemini and Bedrock served by their wire-format mocks), and a
// driver per family that scripts the next answer in that provider's own format and says what a
// Responses caller must then see. The cross-backend tests are one table over these drivers.

import { ANTHROPIC_MOCK_API_KEY, startAnthropicMockServer, type AnthropicMockServer } from '../../mocks/anthropic-mock-server.js';
import { startBedrockMockServer } from '../../mocks/bedrock-mock-server.js';
import { functionCallReply, startGeminiMockServer, textReply } from '../../mocks/gemini-mock-server.js';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';
import { CLAUDE_MODEL_ID, TEST_AWS_IDENTITY } from '../../providers/bedrock/bedrock-test-target.js';
import { GEMINI_TEST_KEY } from '../../providers/gemini/gemini-test-support.js';

const API_VERSION = 'switchyard.dev/v1alpha1';
export const APP_KEY = 'sk-sy-responsesFrontDoorApp0123456789abcdef';
export const OTHER_KEY = 'sk-sy-responsesFrontDoorOther0123456789abcd';

/** The Responses usage object, as the spec defines it (cache_write_tokens included). */
export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

interface ScriptedText {
  /** The text the caller must see. */
  text: string;
  usage: ResponsesUsage;
}

interface ScriptedToolCall {
  arguments: string;
  /** The call id the provider gave, when it gives one (Gemini and the mock provider do not). */
  callId: string | undefined;
}

export interface BackendDriver {
  label: BackendLabel;
  /** The public model name routed to this backend. */
  model: string;
  reset(): void;
  /**
   * Arranges the next answer to be text. `lastUserText` and `promptTexts` (every text the
   * prompt holds, in order) matter only to the mock provider, whose answer and usage derive
   * from them.
   */
  replyText(lastUserText: string, promptTexts: string[]): ScriptedText;
  /** Arranges the next answer to be a call to `toolName` (requests also force it with tool_choice). */
  replyToolCall(toolName: string): ScriptedToolCall;
  /** The request bodies the upstream received, oldest first, as JSON text; empty for in-process backends. */
  upstreamBodies(): string[];
}

function usage(input: number, cached: number, cacheWrite: number, output: number, reasoning: number): ResponsesUsage {
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: cached, cache_write_tokens: cacheWrite },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: input + output,
  };
}

const CITY_ARGUMENTS = '{"city":"Paris"}';

/** Every backend family in the tree, as the cross-backend tests name them. */
export const BACKENDS = ['mock provider', 'openai provider', 'anthropic provider', 'gemini provider', 'bedrock provider'] as const;
export type BackendLabel = (typeof BACKENDS)[number];

export interface ResponsesTestBed {
  gateway: GatewayProcess;
  driver(label: BackendLabel): BackendDriver;
  openai: OpenAIMockServer;
  anthropic: AnthropicMockServer;
  close(): Promise<void>;
}

/** The mock provider counts one token per four characters of every text in the prompt. */
function mockTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export async function startResponsesTestBed(): Promise<ResponsesTestBed> {
  const openai = await startOpenAIMockServer();
  const anthropic = await startAnthropicMockServer();
  const gemini = await startGeminiMockServer({ apiKey: GEMINI_TEST_KEY });
  const bedrock = await startBedrockMockServer({ identities: [TEST_AWS_IDENTITY] });

  const route = (name: string, backend: Record<string, unknown>): unknown => ({
    apiVersion: API_VERSION,
    kind: 'ModelRoute',
    metadata: { name, namespace: 'default' },
    spec: {
      model: name,
      backends: [{ name: `${name}-backend`, ...backend }],
      retry: { attempts: 1 },
      outlierDetection: { consecutiveFailures: 1000, ejectionTime: '1s' },
    },
  });
  const objects = [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'openai', namespace: 'default' }, stringData: { apiKey: OPENAI_MOCK_API_KEY } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'anthropic', namespace: 'default' },
      stringData: { apiKey: ANTHROPIC_MOCK_API_KEY },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'gemini', namespace: 'default' }, stringData: { apiKey: GEMINI_TEST_KEY } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'aws', namespace: 'default' }, stringData: TEST_AWS_IDENTITY },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-key', namespace: 'default' }, stringData: { key: APP_KEY } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'other-key', namespace: 'default' }, stringData: { key: OTHER_KEY } },
    { apiVersion: API_VERSION, kind: 'VirtualKey', metadata: { name: 'app', namespace: 'default' }, spec: { secretName: 'app-key' } },
    { apiVersion: API_VERSION, kind: 'VirtualKey', metadata: { name: 'other', namespace: 'default' }, spec: { secretName: 'other-key' } },
    route('resp-mock', { provider: 'mock', model: 'mock-model', mock: {} }),
    route('resp-openai', {
      provider: 'openai',
      model: 'gpt-4o-2024-08-06',
      baseURL: `${openai.url}/v1`,
      credentials: [{ secretRef: { name: 'openai', key: 'apiKey' } }],
    }),
    route('resp-anthropic', {
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      baseURL: anthropic.url,
      credentials: [{ secretRef: { name: 'anthropic', key: 'apiKey' } }],
    }),
    route('resp-gemini', {
      provider: 'gemini',
      model: 'gemini-2.5-flash',
      baseURL: gemini.url,
      credentials: [{ secretRef: { name: 'gemini', key: 'apiKey' } }],
    }),
    route('resp-bedrock', {
      provider: 'bedrock',
      model: CLAUDE_MODEL_ID,
      baseURL: bedrock.url,
      bedrock: { region: 'us-east-1' },
      credentials: [{ secretRef: { name: 'aws' } }],
    }),
  ];
  const gateway = await startGateway({
    manifests: { 'responses.yaml': `${objects.map((o) => JSON.stringify(o, null, 2)).join('\n---\n')}\n` },
  });

  const drivers: BackendDriver[] = [
    {
      label: 'mock provider',
      model: 'resp-mock',
      reset() {},
      replyText(lastUserText, promptTexts) {
        const text = `Mock reply to: ${lastUserText}`;
        return { text, usage: usage(mockTokens(promptTexts.join('')), 0, 0, mockTokens(text), 0) };
      },
      replyToolCall: () => ({ arguments: '{}', callId: undefined }),
      upstreamBodies: () => [],
    },
    {
      label: 'openai provider',
      model: 'resp-openai',
      reset: () => openai.reset(),
      replyText(lastUserText) {
        const text = `OpenAI answers: ${lastUserText}`;
        openai.script({ content: text, usage: { prompt_tokens: 31, completion_tokens: 9, cached_tokens: 4, reasoning_tokens: 2 } });
        return { text, usage: usage(31, 4, 0, 9, 2) };
      },
      replyToolCall(toolName) {
        openai.script({ content: null, toolCalls: [{ id: 'call_openai_1', name: toolName, arguments: CITY_ARGUMENTS }] });
        return { arguments: CITY_ARGUMENTS, callId: 'call_openai_1' };
      },
      upstreamBodies: () => openai.chatRequests.map((body) => JSON.stringify(body)),
    },
    {
      label: 'anthropic provider',
      model: 'resp-anthropic',
      reset: () => anthropic.reset(),
      replyText(lastUserText) {
        const text = `Claude answers: ${lastUserText}`;
        anthropic.enqueue({
          content: [{ type: 'text', text }],
          usage: { input_tokens: 24, output_tokens: 9, cache_read_input_tokens: 4, cache_creation_input_tokens: 3 },
        });
        return { text, usage: usage(31, 4, 3, 9, 0) };
      },
      replyToolCall(toolName) {
        anthropic.enqueue({
          content: [{ type: 'tool_use', id: 'toolu_01AnthropicCall', name: toolName, input: JSON.parse(CITY_ARGUMENTS) as unknown }],
          stopReason: 'tool_use',
        });
        return { arguments: CITY_ARGUMENTS, callId: 'toolu_01AnthropicCall' };
      },
      upstreamBodies: () => anthropic.messageRequests.map((body) => JSON.stringify(body)),
    },
    {
      label: 'gemini provider',
      model: 'resp-gemini',
      reset: () => gemini.reset(),
      replyText(lastUserText) {
        const text = `Gemini answers: ${lastUserText}`;
        gemini.enqueue(
          textReply(text, { promptTokenCount: 31, cachedContentTokenCount: 4, candidatesTokenCount: 7, thoughtsTokenCount: 2 }),
        );
        return { text, usage: usage(31, 4, 0, 9, 2) };
      },
      replyToolCall(toolName) {
        gemini.enqueue(functionCallReply(toolName, JSON.parse(CITY_ARGUMENTS) as Record<string, unknown>));
        return { arguments: CITY_ARGUMENTS, callId: undefined };
      },
      upstreamBodies: () => gemini.calls.map((call) => JSON.stringify(call.body)),
    },
    {
      label: 'bedrock provider',
      model: 'resp-bedrock',
      reset: () => bedrock.setDefaultReply({ capture: 'amazon-bedrock-text' }),
      replyText(lastUserText) {
        const text = `Bedrock answers: ${lastUserText}`;
        bedrock.enqueue({
          response: {
            id: 'bedrock-1',
            model: CLAUDE_MODEL_ID,
            created: 0,
            content: [{ type: 'text', text }],
            finishReason: 'stop',
            usage: { inputTokens: 31, cachedInputTokens: 4, cacheWriteTokens: 3, outputTokens: 9, reasoningTokens: 0 },
          },
        });
        return { text, usage: usage(31, 4, 3, 9, 0) };
      },
      replyToolCall(toolName) {
        bedrock.enqueue({
          response: {
            id: 'bedrock-2',
            model: CLAUDE_MODEL_ID,
            created: 0,
            content: [{ type: 'tool_call', id: 'tooluse_bedrock01', name: toolName, arguments: CITY_ARGUMENTS }],
            finishReason: 'tool_calls',
            usage: { inputTokens: 40, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 12, reasoningTokens: 0 },
          },
        });
        return { arguments: CITY_ARGUMENTS, callId: 'tooluse_bedrock01' };
      },
      upstreamBodies: () => bedrock.calls.map((call) => JSON.stringify(call.body)),
    },
  ];

  return {
    gateway,
    driver(label) {
      const found = drivers.find((d) => d.label === label);
      if (found === undefined) throw new Error(`no driver for ${label}`);
      return found;
    },
    openai,
    anthropic,
    async close() {
      await gateway.stop();
      await Promise.all([openai.close(), anthropic.close(), gemini.close(), bedrock.close()]);
    },
  };
}
