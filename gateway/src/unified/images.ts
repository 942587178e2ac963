// An image generation or edit request and its answer: OpenAI's Images API shape (the one every
// caller SDK speaks), which `wire/images/` reads from callers and translates to each provider's
// image API (OpenAI and Azure OpenAI, Imagen's `:predict` on Vertex AI and the Gemini API,
// Bedrock's Titan Image Generator through InvokeModel).

/** One uploaded file of an edit (`image`, `image[]`, `mask`). */
export interface ImageUpload {
  /** The form field it came in, for error messages. */
  field: string;
  filename: string;
  /** The part's declared media type (`image/png` when the caller declared none). */
  contentType: string;
  data: Uint8Array;
}

export interface UnifiedImageRequest {
  /** Tells an image request from the other unified requests (estimates, routing features). */
  readonly kind: 'images';
  /** `/v1/images/generations` or `/v1/images/edits`. */
  operation: 'generate' | 'edit';
  model: string;
  prompt: string;
  /** How many images; the caller's `n`, 1 when absent. */
  n: number;
  /** `WIDTHxHEIGHT` or `auto`; undefined: the model's default. */
  size?: string;
  /** `standard`/`hd` (DALL-E 3), `low`/`medium`/`high`/`auto` (GPT Image); undefined: the model's default. */
  quality?: string;
  style?: string;
  /** DALL-E's choice of answer; GPT Image models always answer `b64_json`. */
  responseFormat?: 'url' | 'b64_json';
  outputFormat?: string;
  outputCompression?: number;
  background?: string;
  moderation?: string;
  inputFidelity?: string;
  user?: string;
  /** The caller asked for partial images over SSE (GPT Image); refused until streaming is served. */
  stream: boolean;
  /** Edits: the images to edit, in the caller's order. */
  images: ImageUpload[];
  mask?: ImageUpload;
}

export interface GeneratedImage {
  b64Json?: string;
  url?: string;
  revisedPrompt?: string;
}

/** GPT Image models' token usage as OpenAI reports it. */
export interface ImageTokenUsage {
  inputTokens: number;
  /** The input split, when reported: text prompt tokens and input image tokens. */
  inputTextTokens?: number;
  inputImageTokens?: number;
  outputTokens: number;
}

export interface UnifiedImageResponse {
  /** Unix seconds. */
  created: number;
  data: GeneratedImage[];
  usage?: ImageTokenUsage;
  /** GPT Image answers echo these; passed on when the upstream sent them. */
  background?: string;
  outputFormat?: string;
  size?: string;
  quality?: string;
}

export function isImageRequest(request: object): request is UnifiedImageRequest {
  return (request as { kind?: unknown }).kind === 'images';
}
