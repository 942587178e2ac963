// List prices of the realtime models (GET /v1/realtime), per million tokens of each modality:
// a realtime response bills text, audio and image tokens at different prices, and cache reads
// of each at their own, so these do not fit the one-price-per-direction entries of
// price-catalog-data.ts. Each entry names the page it was read from and when.
//
// Conventions, as in price-catalog-data.ts, so that the catalog never under-charges: a modality
// a model does not list (image input on older models) is charged at that model's audio input
// price, the highest input price it has; Azure OpenAI global deployments bill OpenAI's prices.

export interface RealtimeCatalogEntry {
  textInput: string;
  cachedTextInput: string;
  textOutput: string;
  audioInput: string;
  cachedAudioInput: string;
  audioOutput: string;
  imageInput?: string;
  cachedImageInput?: string;
  /** The model's own page, where the prices were read. */
  source: string;
  /** When the prices were last checked against the source (YYYY-MM-DD). */
  asOf: string;
}

const MODEL_PAGE = 'https://developers.openai.com/api/docs/models/';

/** OpenAI's realtime models by id (dated snapshots are found by their family, as in the main catalog). */
export const OPENAI_REALTIME_PRICES: Readonly<Record<string, RealtimeCatalogEntry>> = {
  'gpt-realtime': {
    textInput: '4.00',
    cachedTextInput: '0.40',
    textOutput: '16.00',
    audioInput: '32.00',
    cachedAudioInput: '0.40',
    audioOutput: '64.00',
    imageInput: '5.00',
    cachedImageInput: '0.50',
    source: `${MODEL_PAGE}gpt-realtime`,
    asOf: '2026-12-07',
  },
  'gpt-realtime-1.5': {
    textInput: '4.00',
    cachedTextInput: '0.40',
    textOutput: '16.00',
    audioInput: '32.00',
    cachedAudioInput: '0.40',
    audioOutput: '64.00',
    imageInput: '5.00',
    cachedImageInput: '0.50',
    source: `${MODEL_PAGE}gpt-realtime-1.5`,
    asOf: '2026-12-07',
  },
  'gpt-realtime-2.1-mini': {
    textInput: '0.60',
    cachedTextInput: '0.06',
    textOutput: '2.40',
    audioInput: '10.00',
    cachedAudioInput: '0.30',
    audioOutput: '20.00',
    imageInput: '0.80',
    cachedImageInput: '0.08',
    source: `${MODEL_PAGE}gpt-realtime-2.1-mini`,
    asOf: '2026-12-07',
  },
  'gpt-4o-mini-realtime-preview': {
    textInput: '0.60',
    cachedTextInput: '0.30',
    textOutput: '2.40',
    audioInput: '10.00',
    cachedAudioInput: '0.30',
    audioOutput: '20.00',
    source: `${MODEL_PAGE}gpt-4o-mini-realtime-preview`,
    asOf: '2026-12-07',
  },
  'gpt-4o-realtime-preview': {
    textInput: '5.00',
    cachedTextInput: '2.50',
    textOutput: '20.00',
    audioInput: '40.00',
    cachedAudioInput: '2.50',
    audioOutput: '80.00',
    source: `${MODEL_PAGE}gpt-4o-realtime-preview`,
    asOf: '2026-12-07',
  },
};
