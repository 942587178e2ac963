// List prices of the audio models (/v1/audio/transcriptions, /translations, /speech), each with
// its billing unit, the page it was read from and when. Audio is billed in one of three units,
// and every price here is in the catalog's usual shape (USD per million units):
// - `second`: speech to text billed by audio duration (whisper-1 at $0.006 a minute is $100
//   per million seconds; Groq's per-hour prices likewise, rounded up to the next 0.001);
// - `character`: tts-1 and tts-1-hd, per million characters of input text;
// - `token`: the gpt-4o audio models, per million tokens. OpenAI bills their audio and text
//   input tokens at two prices; `input` here is the dearer (audio) one, so the catalog never
//   under-charges a request whose usage does not split them.
// A backend's `pricing` on an audio route is read in the unit of its model here; a model not
// listed (vLLM, openai-compatible) is billed per second for speech to text and per character
// for speech, in its backend's `pricing`.
import type { CatalogTableName } from './catalog-model-ids.js';
import type { CatalogEntry } from './price-catalog-data.js';

export type AudioBillingUnit = 'second' | 'character' | 'token';

export interface AudioCatalogEntry extends CatalogEntry {
  unit: AudioBillingUnit;
  /** The provider's own pricing page. */
  source: string;
  /** When the price was last checked against the source (YYYY-MM-DD). */
  asOf: string;
}

const OPENAI_SOURCE = 'https://platform.openai.com/docs/pricing';
const GROQ_SOURCE = 'https://groq.com/pricing';

const a = (unit: AudioBillingUnit, input: string, output: string, source: string, asOf: string): AudioCatalogEntry => ({
  unit,
  input,
  output,
  source,
  asOf,
});

export const AUDIO_PRICES: Partial<Record<CatalogTableName, { readonly models: Readonly<Record<string, AudioCatalogEntry>> }>> = {
  openai: {
    models: {
      'whisper-1': a('second', '100.00', '0', OPENAI_SOURCE, '2026-12-07'),
      'gpt-4o-transcribe': a('token', '6.00', '10.00', OPENAI_SOURCE, '2026-12-07'),
      'gpt-4o-transcribe-diarize': a('token', '6.00', '10.00', OPENAI_SOURCE, '2026-12-07'),
      'gpt-4o-mini-transcribe': a('token', '3.00', '5.00', OPENAI_SOURCE, '2026-12-07'),
      'tts-1': a('character', '15.00', '0', OPENAI_SOURCE, '2026-12-07'),
      'tts-1-hd': a('character', '30.00', '0', OPENAI_SOURCE, '2026-12-07'),
      'gpt-4o-mini-tts': a('token', '0.60', '12.00', OPENAI_SOURCE, '2026-12-07'),
    },
  },
  groq: {
    models: {
      // $0.111 and $0.04 per hour of audio; Groq bills at least 10 seconds a request.
      'whisper-large-v3': a('second', '30.834', '0', GROQ_SOURCE, '2026-12-07'),
      'whisper-large-v3-turbo': a('second', '11.112', '0', GROQ_SOURCE, '2026-12-07'),
    },
  },
};
