// The official @google/genai SDK -> a real gateway process -> one route per backend family in the
// tree (the in-process `mock` provider, and the OpenAI, Anthropic, Gemini and, once registered,
// Bedrock mock servers). Each integration test file starts one rig and runs its behaviour against
// every cell, named `gemini front door x <provider> provider: <behaviour>`.
//
// The rig scripts the next upstream answer in each provider's own terms and says what the
// Gemini caller should then see, so one test body serves every cell.

import { GoogleGenAI } from '@google/genai';
import type { Usage } from '@switchyard/compiler';
import { createProviderRegistry } from '../../../src/providers/registry.js';
import { ANTHROPIC_MOCK_API_KEY, startAnthropicMockServer, type AnthropicMockServer } from '../../mocks/anthropic-mock-server.js';
import { startBedrockMockServer, type BedrockMockServer } from '../../mocks/bedrock-mock-server.js';
import { startGeminiMockServer, type GeminiMockServer } from '../../mocks/gemini-mock-server.js';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';

export type ProviderFamily = 'mock' | 'openai' | 'anthropic' | 'gemini' | 'bedrock';

const API_VERSION = 'switchyard.dev/v1alpha1';
export const VIRTUAL_KEY = 'sk-sy-GeminiFrontDoor0123456789abcdefghijXYZ';
/** A key whose allow-list admits only `via-mock`. */
export const NARROW_KEY = 'sk-sy-GeminiFrontDoorNarrow0123456789abcdefXY';
const GEMINI_UPSTREAM_KEY = 'test-gemini-upstream-key';
const BEDROCK_IDENTITY = { accessKeyId: 'AKIDGEMINIFRONTDOOR01', secretAccessKey: 'bedrock-secret-for-the-gemini-front-door' };

/** The route (public model name) that reaches each provider. */
export function modelFor(provider: ProviderFamily): string {
  return `via-${provider}`;
}

export interface ScriptedUsage {
  /** All prompt tokens, cached ones included. */
  input: number;
  cached: number;
  /** Answer tokens, reasoning excluded. */
  output: number;
  reasoning: number;
}

export interface ToolCallScript {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

export interface Rig {
  gateway: GatewayProcess;
  client: GoogleGenAI;
  providers: ProviderFamily[];
  openai: OpenAIMockServer;
  anthropic: AnthropicMockServer;
  gemini: GeminiMockServer;
  bedrock: BedrockMockServer | undefined;
  /** Forget recorded calls and queued replies on every mock. */
  reset(): void;
  stop(): Promise<void>;
  /** A client with another key (or none). */
  clientWithKey(apiKey: string): GoogleGenAI;
}

/** Bedrock joins once its adapter is in the provider registry. */
export function providersInTree(): ProviderFamily[] {
  const registry = createProviderRegistry();
  const families: ProviderFamily[] = ['mock', 'openai', 'anthropic', 'gemini'];
  if (registry.bedrock !== undefined) families.push('bedrock');
  return families;
}

// Under jest's ESM vm the SDK cannot find Node's undici dispatcher (it looks on the sandbox's
// globalThis) and every default fetch fails; handing it the fetch function skips that lookup and
// changes nothing else about the requests it makes.
const realmFetch: typeof fetch = (input, init) => fetch(input, init);

function documents(...objects: unknown[]): string {
  return `${objects.map((o) => JSON.stringify(o, null, 2)).join('\n---\n')}\n`;
}

function route(provider: ProviderFamily, backend: Record<string, unknown>): unknown {
  return {
    apiVersion: API_VERSION,
    kind: 'ModelRoute',
    metadata: { name: modelFor(provider), namespace: 'default' },
    spec: {
      model: modelFor(provider),
      backends: [{ name: `${provider}-backend`, provider, pricing: { inputPerMillion: '1.00', outputPerMillion: '2.00' }, ...backend }],
      retry: { attempts: 1 },
      outlierDetection: { consecutiveFailures: 1000, ejectionTime: '1s' },
    },
  };
}

export async function startRig(): Promise<Rig> {
  const providers = providersInTree();
  const openai = await startOpenAIMockServer();
  const anthropic = await startAnthropicMockServer();
  const gemini = await startGeminiMockServer({ apiKey: GEMINI_UPSTREAM_KEY });
  const bedrock = providers.includes('bedrock') ? await startBedrockMockServer({ identities: [BEDROCK_IDENTITY] }) : undefined;
  const closeMocks = async (): Promise<void> => {
    await Promise.all([openai.close(), anthropic.close(), gemini.close(), bedrock?.close()]);
  };

  const objects: unknown[] = [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'openai', namespace: 'default' }, stringData: { apiKey: OPENAI_MOCK_API_KEY } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'anthropic', namespace: 'default' },
      stringData: { apiKey: ANTHROPIC_MOCK_API_KEY },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'gemini', namespace: 'default' }, stringData: { apiKey: GEMINI_UPSTREAM_KEY } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-key', namespace: 'default' }, stringData: { key: VIRTUAL_KEY } },
    { apiVersion: API_VERSION, kind: 'VirtualKey', metadata: { name: 'app', namespace: 'default' }, spec: { secretName: 'app-key' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'narrow-key', namespace: 'default' }, stringData: { key: NARROW_KEY } },
    {
      apiVersion: API_VERSION,
      kind: 'VirtualKey',
      metadata: { name: 'narrow', namespace: 'default' },
      spec: { secretName: 'narrow-key', allowedModels: ['via-mock'] },
    },
    route('mock', { model: 'mock-model' }),
    route('openai', { model: 'gpt-4o-mini', baseURL: `${openai.url}/v1`, credentials: [{ secretRef: { name: 'openai', key: 'apiKey' } }] }),
    route('anthropic', {
      model: 'claude-sonnet-4-5',
      baseURL: anthropic.url,
      credentials: [{ secretRef: { name: 'anthropic', key: 'apiKey' } }],
    }),
    route('gemini', { model: 'gemini-2.5-flash', baseURL: gemini.url, credentials: [{ secretRef: { name: 'gemini', key: 'apiKey' } }] }),
  ];
  if (bedrock !== undefined) {
    objects.push(
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bedrock', namespace: 'default' }, stringData: BEDROCK_IDENTITY },
      route('bedrock', {
        model: 'anthropic.claude-3-5-haiku-20241022-v1:0',
        baseURL: bedrock.url,
        bedrock: { region: 'us-east-1' },
        credentials: [{ secretRef: { name: 'bedrock' } }],
      }),
    );
  }
  let gateway: GatewayProcess;
  try {
    gateway = await startGateway({ manifests: { 'gemini-front-door.yaml': documents(...objects) } });
  } catch (error) {
    await closeMocks();
    throw error;
  }
  const clientWithKey = (apiKey: string): GoogleGenAI =>
    new GoogleGenAI({
      apiKey,
      httpOptions: { baseUrl: `${gateway.url}/genai`, retryOptions: { attempts: 1 }, timeout: 20_000, fetch: realmFetch },
    });

  return {
    gateway,
    client: clientWithKey(VIRTUAL_KEY),
    providers,
    openai,
    anthropic,
    gemini,
    bedrock,
    clientWithKey,
    reset() {
      openai.reset();
      anthropic.reset();
      gemini.reset();
      if (bedrock !== undefined) bedrock.calls.length = 0;
    },
    async stop() {
      await gateway.stop();
      await closeMocks();
    },
  };
}

/** What the mock provider answers: an echo of the last user text. */
export function mockProviderText(prompt: string): string {
  return `Mock reply to: ${prompt}`;
}

/** The mock provider's usage: one token per four characters of prompt and of answer. */
export function mockProviderUsage(promptText: string, answer: string): ScriptedUsage {
  return { input: Math.ceil(promptText.length / 4), cached: 0, output: Math.ceil(answer.length / 4), reasoning: 0 };
}

/**
 * Queues a plain text answer with exactly this usage on the provider (streamed or not, whichever
 * the next call is). Returns the text the caller will see (the mock provider echoes instead).
 */
export function scriptText(rig: Rig, provider: ProviderFamily, text: string, usage: ScriptedUsage, prompt: string): string {
  switch (provider) {
    case 'mock':
      return mockProviderText(prompt);
    case 'openai':
      rig.openai.script({
        content: text,
        usage: {
          prompt_tokens: usage.input,
          completion_tokens: usage.output + usage.reasoning,
          cached_tokens: usage.cached,
          reasoning_tokens: usage.reasoning,
        },
      });
      return text;
    case 'anthropic':
      // Anthropic reports no reasoning count of its own; scripts for it use reasoning 0.
      rig.anthropic.enqueue({
        content: [{ type: 'text', text }],
        stopReason: 'end_turn',
        usage: {
          input_tokens: usage.input - usage.cached,
          cache_read_input_tokens: usage.cached,
          output_tokens: usage.output + usage.reasoning,
        },
      });
      return text;
    case 'gemini': {
      const metadata: Record<string, number> = {
        promptTokenCount: usage.input,
        candidatesTokenCount: usage.output,
        totalTokenCount: usage.input + usage.output + usage.reasoning,
      };
      if (usage.cached > 0) metadata['cachedContentTokenCount'] = usage.cached;
      if (usage.reasoning > 0) metadata['thoughtsTokenCount'] = usage.reasoning;
      const response = {
        candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
        usageMetadata: metadata,
        modelVersion: 'gemini-2.5-flash',
        responseId: 'scriptedTextAnswer',
      };
      rig.gemini.enqueue({ response });
      return text;
    }
    case 'bedrock':
      rig.bedrock?.enqueue({ response: unifiedText(text, usage) });
      return text;
  }
}

/** Queues a single function call as the provider's next answer. Returns the call the caller will see. */
export function scriptToolCall(rig: Rig, provider: ProviderFamily, call: ToolCallScript): { name: string; args: Record<string, unknown> } {
  switch (provider) {
    case 'mock':
      // The mock provider calls the forced tool with no arguments.
      return { name: call.name, args: {} };
    case 'openai':
      rig.openai.script({
        toolCalls: [{ id: call.id, name: call.name, arguments: JSON.stringify(call.args) }],
        finishReason: 'tool_calls',
      });
      break;
    case 'anthropic':
      rig.anthropic.enqueue({ content: [{ type: 'tool_use', id: call.id, name: call.name, input: call.args }], stopReason: 'tool_use' });
      break;
    case 'gemini':
      rig.gemini.enqueue({
        response: {
          candidates: [
            { content: { role: 'model', parts: [{ functionCall: { name: call.name, args: call.args } }] }, finishReason: 'STOP', index: 0 },
          ],
          usageMetadata: { promptTokenCount: 20, candidatesTokenCount: 6, totalTokenCount: 26 },
          modelVersion: 'gemini-2.5-flash',
          responseId: 'scriptedToolCall',
        },
      });
      break;
    case 'bedrock':
      rig.bedrock?.enqueue({
        response: {
          id: 'bedrock-call',
          model: 'claude',
          created: 0,
          content: [{ type: 'tool_call', id: call.id, name: call.name, arguments: JSON.stringify(call.args) }],
          finishReason: 'tool_calls',
          usage: { inputTokens: 20, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 6, reasoningTokens: 0 },
        },
      });
      break;
  }
  return { name: call.name, args: call.args };
}

/** The body of the provider's last chat call, in its own wire format (undefined for the in-process mock). */
export function lastUpstreamBody(rig: Rig, provider: ProviderFamily): Record<string, unknown> | undefined {
  switch (provider) {
    case 'mock':
      return undefined;
    case 'openai':
      return rig.openai.chatRequests[rig.openai.chatRequests.length - 1];
    case 'anthropic':
      return rig.anthropic.messageRequests[rig.anthropic.messageRequests.length - 1];
    case 'gemini':
      return rig.gemini.calls[rig.gemini.calls.length - 1]?.body as Record<string, unknown> | undefined;
    case 'bedrock':
      return rig.bedrock?.calls[rig.bedrock.calls.length - 1]?.body as Record<string, unknown> | undefined;
  }
}

/** Gemini's usageMetadata for a usage, as the front door must report it. */
export function expectedUsageMetadata(usage: ScriptedUsage): Record<string, number> {
  const metadata: Record<string, number> = {
    promptTokenCount: usage.input,
    candidatesTokenCount: usage.output,
    totalTokenCount: usage.input + usage.output + usage.reasoning,
  };
  if (usage.cached > 0) metadata['cachedContentTokenCount'] = usage.cached;
  if (usage.reasoning > 0) metadata['thoughtsTokenCount'] = usage.reasoning;
  return metadata;
}

function unifiedText(
  text: string,
  usage: ScriptedUsage,
): { id: string; model: string; created: number; content: Array<{ type: 'text'; text: string }>; finishReason: 'stop'; usage: Usage } {
  return {
    id: 'bedrock-text',
    model: 'claude',
    created: 0,
    content: [{ type: 'text', text }],
    finishReason: 'stop',
    usage: {
      inputTokens: usage.input,
      cachedInputTokens: usage.cached,
      cacheWriteTokens: 0,
      outputTokens: usage.output + usage.reasoning,
      reasoningTokens: usage.reasoning,
    },
  };
}

/** `gemini front door x openai provider: <behaviour>` */
export function cellName(provider: ProviderFamily, behaviour: string): string {
  return `gemini front door x ${provider} provider: ${behaviour}`;
}
