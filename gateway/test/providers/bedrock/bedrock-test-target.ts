import type { CompiledBackend, CompiledCredential } from '@switchyard/compiler';
import type { BackendTarget } from '../../../src/unified/provider-codec.js';
import type { UnifiedChatRequest } from '../../../src/unified/chat-request.js';

export const CLAUDE_MODEL_ID = 'anthropic.claude-3-5-sonnet-20240620-v1:0';

export const TEST_AWS_IDENTITY = {
  accessKeyId: 'AKIDSWITCHYARDTEST01',
  secretAccessKey: 'switchyard/test+secret/key/0123456789abcdef',
};

export interface TargetOverrides {
  backend?: Partial<CompiledBackend>;
  credential?: CompiledCredential | null;
  defaultMaxTokens?: number;
}

export function bedrockTarget(overrides: TargetOverrides = {}): BackendTarget {
  const credential: CompiledCredential | undefined =
    overrides.credential === null ? undefined : (overrides.credential ?? { ref: 'default/aws', weight: 1, aws: { ...TEST_AWS_IDENTITY } });
  return {
    backend: {
      name: 'bedrock-main',
      provider: 'bedrock',
      model: CLAUDE_MODEL_ID,
      baseURL: 'https://bedrock-runtime.us-east-1.amazonaws.com',
      credentials: credential ? [credential] : [],
      priority: 0,
      weight: 1,
      bedrock: { region: 'us-east-1', useAmbientCredentials: false },
      ...overrides.backend,
    },
    credential,
    defaultMaxTokens: overrides.defaultMaxTokens ?? 4096,
  };
}

export function chatRequest(overrides: Partial<UnifiedChatRequest> = {}): UnifiedChatRequest {
  return {
    model: 'claude',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
    stream: false,
    ...overrides,
  };
}
