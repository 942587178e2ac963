// The Gemini (Generative Language API, v1beta) JSON shapes the gateway reads and writes.
// Only the fields Switchyard uses are typed; anything else the API adds passes unseen.
// Field names follow the REST reference (camelCase); enums are the proto names.

interface GeminiInlineData {
  mimeType: string;
  /** Base64 of the bytes. */
  data: string;
}

interface GeminiFileData {
  mimeType?: string;
  fileUri: string;
}

/** One streamed piece of a function call's arguments (Gemini 3 `streamFunctionCallArguments`). */
export interface GeminiPartialArg {
  /** RFC 9535 path into the arguments object, e.g. `$.location` or `$.stops[1].city`. */
  jsonPath?: string;
  stringValue?: string;
  numberValue?: number;
  boolValue?: boolean;
  nullValue?: 'NULL_VALUE';
  /** More pieces for the same path follow (strings are sent in slices). */
  willContinue?: boolean;
}

export interface GeminiFunctionCall {
  id?: string;
  name?: string;
  args?: Record<string, unknown>;
  partialArgs?: GeminiPartialArg[];
  /** More parts of this same call follow in later chunks. */
  willContinue?: boolean;
}

interface GeminiFunctionResponse {
  id?: string;
  name: string;
  response: Record<string, unknown>;
}

export interface GeminiPart {
  text?: string;
  /** The part is a thought summary, not answer text. */
  thought?: boolean;
  /** Opaque token that must be sent back with the part it came on (Gemini 3 function calls require it). */
  thoughtSignature?: string;
  inlineData?: GeminiInlineData;
  fileData?: GeminiFileData;
  functionCall?: GeminiFunctionCall;
  functionResponse?: GeminiFunctionResponse;
}

export type GeminiRole = 'user' | 'model';

export interface GeminiContent {
  role?: GeminiRole;
  parts: GeminiPart[];
}

export type GeminiSchemaType = 'STRING' | 'NUMBER' | 'INTEGER' | 'BOOLEAN' | 'ARRAY' | 'OBJECT' | 'NULL';

/** Gemini's OpenAPI 3.0 subset of JSON Schema. */
export interface GeminiSchema {
  type?: GeminiSchemaType;
  format?: string;
  title?: string;
  description?: string;
  nullable?: boolean;
  enum?: string[];
  default?: unknown;
  example?: unknown;
  properties?: Record<string, GeminiSchema>;
  required?: string[];
  propertyOrdering?: string[];
  items?: GeminiSchema;
  anyOf?: GeminiSchema[];
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minProperties?: number;
  maxProperties?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
}

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  parameters?: GeminiSchema;
  /** Full JSON Schema, an alternative to `parameters` (callers send one or the other). */
  parametersJsonSchema?: Record<string, unknown>;
}

export interface GeminiTool {
  functionDeclarations: GeminiFunctionDeclaration[];
}

type GeminiFunctionCallingMode = 'AUTO' | 'ANY' | 'NONE';

export interface GeminiToolConfig {
  functionCallingConfig: {
    mode: GeminiFunctionCallingMode;
    allowedFunctionNames?: string[];
  };
}

type GeminiThinkingLevel = 'minimal' | 'low' | 'medium' | 'high';

export interface GeminiThinkingConfig {
  includeThoughts?: boolean;
  thinkingBudget?: number;
  thinkingLevel?: GeminiThinkingLevel;
}

export interface GeminiGenerationConfig {
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  candidateCount?: number;
  responseMimeType?: string;
  responseSchema?: GeminiSchema;
  /** Full JSON Schema, an alternative to `responseSchema`. */
  responseJsonSchema?: Record<string, unknown>;
  thinkingConfig?: GeminiThinkingConfig;
}

export interface GeminiSafetySetting {
  category: string;
  threshold: string;
}

export interface GeminiGenerateContentRequest {
  contents: GeminiContent[];
  systemInstruction?: GeminiContent;
  tools?: GeminiTool[];
  toolConfig?: GeminiToolConfig;
  generationConfig?: GeminiGenerationConfig;
  safetySettings?: GeminiSafetySetting[];
  /** A context cache's resource name; its contents come before `contents`. */
  cachedContent?: string;
}

export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  cachedContentTokenCount?: number;
  candidatesTokenCount?: number;
  toolUsePromptTokenCount?: number;
  thoughtsTokenCount?: number;
  totalTokenCount?: number;
}

interface GeminiSafetyRating {
  category: string;
  probability: string;
  blocked?: boolean;
}

export interface GeminiCandidate {
  content?: GeminiContent;
  finishReason?: string;
  finishMessage?: string;
  index?: number;
  safetyRatings?: GeminiSafetyRating[];
}

interface GeminiPromptFeedback {
  blockReason?: string;
  safetyRatings?: GeminiSafetyRating[];
}

/** The body of `:generateContent`, and each `data:` chunk of `:streamGenerateContent?alt=sse`. */
export interface GeminiGenerateContentResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: GeminiPromptFeedback;
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
  /** Vertex AI only. */
  createTime?: string;
}

export interface GeminiEmbedContentRequest {
  /** `models/<id>`; required inside a batch. */
  model?: string;
  content: GeminiContent;
  taskType?: string;
  title?: string;
  outputDimensionality?: number;
}

export interface GeminiBatchEmbedContentsRequest {
  requests: GeminiEmbedContentRequest[];
}

interface GeminiContentEmbedding {
  values: number[];
}

export interface GeminiEmbedContentResponse {
  embedding: GeminiContentEmbedding;
}

export interface GeminiBatchEmbedContentsResponse {
  embeddings: GeminiContentEmbedding[];
}

interface GeminiModalityTokenCount {
  modality: string;
  tokenCount: number;
}

export interface GeminiCountTokensResponse {
  totalTokens: number;
  cachedContentTokenCount?: number;
  promptTokensDetails?: GeminiModalityTokenCount[];
}

/** One entry of `GET /v1beta/models`. */
export interface GeminiModel {
  /** `models/<id>`. */
  name: string;
  baseModelId?: string;
  version: string;
  displayName: string;
  description?: string;
  inputTokenLimit?: number;
  outputTokenLimit?: number;
  supportedGenerationMethods: string[];
}

export interface GeminiListModelsResponse {
  models: GeminiModel[];
  nextPageToken?: string;
}

/** A `google.rpc.Status` detail, discriminated by `@type`. */
export interface GoogleErrorDetail {
  '@type': string;
  [field: string]: unknown;
}

/** Google's error envelope (AIP-193). */
export interface GoogleErrorBody {
  error: {
    code: number;
    message: string;
    status: string;
    details?: GoogleErrorDetail[];
  };
}
