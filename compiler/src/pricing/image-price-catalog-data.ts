// Built-in list prices of image models, the units image endpoints bill by (POST
// /v1/images/generations and /v1/images/edits): a price per image by quality and size (DALL-E,
// Imagen, Titan Image Generator), or tokens (GPT Image models, which OpenAI bills by the text and
// image tokens it reports in `usage`). USD decimal strings, standard tier, with the page each
// table was read from and when. Lookups (image-price-catalog.ts) normalize model ids as the token
// catalog does.
//
// Conventions, so that the catalog never under-charges:
// - A per-image table is keyed `quality/size`; `*` stands for any quality or any size. A quality
//   or size the table does not list is charged at the model's dearest listed price.
// - `small` and `large` sizes (Titan) split at 512x512 pixels: a larger image is `large`.
// - GPT Image: input tokens without OpenAI's text/image split are charged at the image-input
//   price (the dearer one); `outputTokensPerImage` (OpenAI's published counts per quality and
//   size) bounds budget reservations before the real usage is known.
//
// Provenance, as in the token catalog: the OpenAI table (DALL-E per-image prices, GPT Image token
// prices and output tokens per image) was checked on `asOf` against copies of OpenAI's published
// prices; the Imagen and Titan tables carry the providers' list prices as last known and should be
// re-read against `source` before they are relied on for billing. Refresh as for the token catalog.

export interface PerImagePrice {
  readonly unit: 'image';
  /** `quality/size` -> USD per image. */
  readonly prices: Readonly<Record<string, string>>;
  /** Titan prices by size class (`small` up to 512x512 pixels, else `large`); else sizes as the caller names them. */
  readonly sizeClasses?: boolean;
  /** What a request that names no quality or size gets (the model's documented defaults). */
  readonly defaults?: { readonly quality?: string; readonly size?: string };
  /** The caller's quality names as the model's price list names them (Titan: `hd` is `premium`). */
  readonly qualityAliases?: Readonly<Record<string, string>>;
}

export interface ImageTokenPrice {
  readonly unit: 'token';
  /** USD per million text input tokens. */
  readonly textInput: string;
  /** USD per million image input tokens. */
  readonly imageInput: string;
  /** USD per million image output tokens. */
  readonly output: string;
  /** `quality/size` -> output tokens of one image. */
  readonly outputTokensPerImage: Readonly<Record<string, number>>;
}

export type ImagePriceEntry = PerImagePrice | ImageTokenPrice;

export interface ImagePriceTable {
  /** The provider's own pricing page. */
  source: string;
  /** When the prices were last checked against the source (YYYY-MM-DD). */
  asOf: string;
  models: Readonly<Record<string, ImagePriceEntry>>;
}

const perImage = (prices: Record<string, string>, extra: Omit<PerImagePrice, 'unit' | 'prices'> = {}): PerImagePrice => ({
  unit: 'image',
  prices,
  ...extra,
});

/** Titan's two qualities; the caller's other names map as the gateway sends them (wire/images/titan-image.ts). */
const TITAN = {
  sizeClasses: true,
  defaults: { quality: 'standard', size: '1024x1024' },
  qualityAliases: { hd: 'premium', high: 'premium', low: 'standard', medium: 'standard', auto: 'standard' },
};

/** OpenAI's published output tokens per GPT Image image (the same for every GPT Image model). */
const GPT_IMAGE_OUTPUT_TOKENS: Readonly<Record<string, number>> = {
  'low/1024x1024': 272,
  'low/1024x1536': 408,
  'low/1536x1024': 400,
  'medium/1024x1024': 1056,
  'medium/1024x1536': 1584,
  'medium/1536x1024': 1568,
  'high/1024x1024': 4160,
  'high/1024x1536': 6240,
  'high/1536x1024': 6208,
};

/** OpenAI image models; Azure OpenAI global deployments bill the same. */
export const OPENAI_IMAGE_PRICES: ImagePriceTable = {
  source: 'https://developers.openai.com/api/docs/pricing#image-generation',
  asOf: '2026-12-07',
  models: {
    'dall-e-2': perImage({ '*/256x256': '0.016', '*/512x512': '0.018', '*/1024x1024': '0.020' }, { defaults: { size: '1024x1024' } }),
    'dall-e-3': perImage(
      {
        'standard/1024x1024': '0.040',
        'standard/1024x1792': '0.080',
        'standard/1792x1024': '0.080',
        'hd/1024x1024': '0.080',
        'hd/1024x1792': '0.120',
        'hd/1792x1024': '0.120',
      },
      { defaults: { quality: 'standard', size: '1024x1024' } },
    ),
    'gpt-image-1': {
      unit: 'token',
      textInput: '5.00',
      imageInput: '10.00',
      output: '40.00',
      outputTokensPerImage: GPT_IMAGE_OUTPUT_TOKENS,
    },
    'gpt-image-1-mini': {
      unit: 'token',
      textInput: '2.00',
      imageInput: '2.50',
      output: '8.00',
      outputTokensPerImage: GPT_IMAGE_OUTPUT_TOKENS,
    },
  },
};

/** Imagen on Vertex AI: one price per image whatever its size. */
export const VERTEX_IMAGE_PRICES: ImagePriceTable = {
  source: 'https://cloud.google.com/vertex-ai/generative-ai/pricing#imagen-models',
  asOf: '2026-12-07',
  models: {
    'imagen-4.0-ultra-generate-001': perImage({ '*': '0.06' }),
    'imagen-4.0-generate-001': perImage({ '*': '0.04' }),
    'imagen-4.0-fast-generate-001': perImage({ '*': '0.02' }),
    'imagen-3.0-generate-002': perImage({ '*': '0.04' }),
    'imagen-3.0-generate-001': perImage({ '*': '0.04' }),
    'imagen-3.0-fast-generate-001': perImage({ '*': '0.02' }),
  },
};

/** Imagen on the Gemini API (paid tier). */
export const GEMINI_IMAGE_PRICES: ImagePriceTable = {
  source: 'https://ai.google.dev/gemini-api/docs/pricing',
  asOf: '2026-12-07',
  models: {
    'imagen-4.0-ultra-generate-001': perImage({ '*': '0.06' }),
    'imagen-4.0-generate-001': perImage({ '*': '0.04' }),
    'imagen-4.0-fast-generate-001': perImage({ '*': '0.02' }),
    'imagen-3.0-generate-002': perImage({ '*': '0.03' }),
  },
};

/** Bedrock on-demand image models (us-east-1 list prices). */
export const BEDROCK_IMAGE_PRICES: ImagePriceTable = {
  source: 'https://aws.amazon.com/bedrock/pricing/',
  asOf: '2026-12-07',
  models: {
    'amazon.titan-image-generator-v2:0': perImage(
      { 'standard/small': '0.008', 'standard/large': '0.01', 'premium/small': '0.01', 'premium/large': '0.012' },
      TITAN,
    ),
    'amazon.titan-image-generator-v1': perImage(
      { 'standard/small': '0.008', 'standard/large': '0.01', 'premium/small': '0.01', 'premium/large': '0.012' },
      TITAN,
    ),
  },
};
