// Wire shapes of the Bedrock Runtime Converse and ConverseStream APIs (JSON), as documented in
// the Amazon Bedrock API reference. Only the members Switchyard reads or writes are spelled out.

export type ConverseRole = 'user' | 'assistant';

export type ConverseImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';
export type ConverseDocumentFormat = 'pdf' | 'csv' | 'doc' | 'docx' | 'xls' | 'xlsx' | 'html' | 'txt' | 'md';

/** Blobs travel base64-encoded in the JSON protocol. */
interface ConverseBytesSource {
  bytes: string;
}

interface ConverseTextBlock {
  text: string;
}

export interface ConverseImageBlock {
  image: { format: ConverseImageFormat; source: ConverseBytesSource };
}

export interface ConverseDocumentBlock {
  document: { format: ConverseDocumentFormat; name: string; source: ConverseBytesSource };
}

interface ConverseToolUseBlock {
  toolUse: { toolUseId: string; name: string; input: unknown };
}

export type ConverseToolResultContent = ConverseTextBlock | { json: unknown } | ConverseImageBlock | ConverseDocumentBlock;

interface ConverseToolResultBlock {
  toolResult: { toolUseId: string; content: ConverseToolResultContent[]; status?: 'success' | 'error' };
}

interface ConverseReasoningBlock {
  reasoningContent: { reasoningText: { text: string; signature?: string } } | { redactedContent: string };
}

export interface ConverseCachePointBlock {
  /** `ttl` absent: Bedrock's default (5 minutes). */
  cachePoint: { type: 'default'; ttl?: '5m' | '1h' };
}

export type ConverseContentBlock =
  | ConverseTextBlock
  | ConverseImageBlock
  | ConverseDocumentBlock
  | ConverseToolUseBlock
  | ConverseToolResultBlock
  | ConverseReasoningBlock
  | ConverseCachePointBlock;

export interface ConverseMessage {
  role: ConverseRole;
  content: ConverseContentBlock[];
}

export type ConverseSystemBlock = ConverseTextBlock | ConverseCachePointBlock;

export interface ConverseToolSpec {
  toolSpec: { name: string; description?: string; inputSchema: { json: Record<string, unknown> } };
}

export type ConverseToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };

export interface ConverseInferenceConfig {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
}

export interface ConverseRequest {
  messages: ConverseMessage[];
  system?: ConverseSystemBlock[];
  inferenceConfig?: ConverseInferenceConfig;
  toolConfig?: { tools: Array<ConverseToolSpec | ConverseCachePointBlock>; toolChoice?: ConverseToolChoice };
  /** Model-specific fields passed through to the model (e.g. Anthropic `thinking`, `top_k`). */
  additionalModelRequestFields?: Record<string, unknown>;
}

/** Documented values; the type stays open because AWS adds reasons over time. */
export type ConverseStopReason =
  | 'end_turn'
  | 'tool_use'
  | 'max_tokens'
  | 'stop_sequence'
  | 'guardrail_intervened'
  | 'content_filtered'
  | 'malformed_model_output'
  | 'malformed_tool_use'
  | 'model_context_window_exceeded'
  | (string & {});

export interface ConverseUsage {
  /** Prompt tokens not read from or written to the prompt cache. */
  inputTokens: number;
  outputTokens: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

export interface ConverseResponse {
  output: { message: ConverseMessage };
  stopReason: ConverseStopReason;
  usage: ConverseUsage;
  metrics?: { latencyMs: number };
  additionalModelResponseFields?: Record<string, unknown>;
}

// ---- ConverseStream: one event-stream message per event, `:event-type` = the key below ----

interface ConverseStreamEventPayloads {
  messageStart: { role: ConverseRole };
  contentBlockStart: { contentBlockIndex: number; start: { toolUse?: { toolUseId: string; name: string } } };
  contentBlockDelta: {
    contentBlockIndex: number;
    delta: {
      text?: string;
      toolUse?: { input: string };
      reasoningContent?: { text?: string; signature?: string; redactedContent?: string };
    };
  };
  contentBlockStop: { contentBlockIndex: number };
  messageStop: { stopReason: ConverseStopReason; additionalModelResponseFields?: Record<string, unknown> };
  metadata: { usage: ConverseUsage; metrics?: { latencyMs: number } };
}

export type ConverseStreamEventType = keyof ConverseStreamEventPayloads;

export type ConverseStreamEvent = {
  [K in ConverseStreamEventType]: { eventType: K; payload: ConverseStreamEventPayloads[K] };
}[ConverseStreamEventType];

export const CONVERSE_STREAM_EVENT_TYPES: readonly ConverseStreamEventType[] = [
  'messageStart',
  'contentBlockStart',
  'contentBlockDelta',
  'contentBlockStop',
  'messageStop',
  'metadata',
];
