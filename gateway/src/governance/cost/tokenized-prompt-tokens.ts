// The Tokenized prompt count (Budget `reservation: Tokenized`, docs/governance.md
// "Reservations"): the same walk over the prompt as the Strict byte bound
// (estimate-prompt-tokens.ts), with each text measured by its backend family's tokenizer.
//
// - OpenAI families: gpt-tokenizer's o200k_base / cl100k_base (about 150 ms and 40 MB each to
//   load, so only gateways with Tokenized budgets load them: o200k_base when such a table loads,
//   cl100k_base on first use), plus OpenAI's documented
//   chat framing (3 tokens per message, 3 to prime the answer) with one token of slack each.
// - Other families: a calibrated ratio (ratioTokens below) plus per-family framing.
//
// Tokenizing costs far more per character than counting bytes (docs/benchmarks.md), so one request spends
// at most MAX_TOKENIZED_CHARS characters of tokenizer work; texts past that are measured by their
// UTF-8 bytes, exactly as Strict does. The ratio is a linear scan and needs no cap.
import { createRequire } from 'node:module';
import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../../unified/chat-request.js';
import { isEmbeddingsRequest, measureChatPrompt, measureEmbeddingsInput, type PromptMeasure, utf8Bytes } from './estimate-prompt-tokens.js';
import type { TokenFamily } from './prompt-token-families.js';

/** Characters of tokenizer work per request (about 25k English tokens; docs/benchmarks.md has the cost). */
export const MAX_TOKENIZED_CHARS = 100_000;

type OpenAIEncoding = typeof import('gpt-tokenizer/encoding/o200k_base');
type OpenAIEncodingName = 'o200k_base' | 'cl100k_base';

// The CommonJS build is loaded with require so the first Tokenized request can load it in the
// middle of a synchronous admission, and gateways that never need it never load it.
const requireEncoding = createRequire(import.meta.url);
const loaded = new Map<OpenAIEncodingName, OpenAIEncoding>();

function openAIEncoding(name: OpenAIEncodingName): OpenAIEncoding {
  let encoding = loaded.get(name);
  if (encoding === undefined) {
    encoding =
      name === 'o200k_base'
        ? (requireEncoding('gpt-tokenizer/encoding/o200k_base') as OpenAIEncoding)
        : (requireEncoding('gpt-tokenizer/encoding/cl100k_base') as OpenAIEncoding);
    loaded.set(name, encoding);
  }
  return encoding;
}

/**
 * Loads o200k_base (the encoding of every current OpenAI model) off the request path: called when
 * a table with a Tokenized budget loads, so the first Tokenized request does not wait for it.
 * cl100k_base (older models) still loads on first use.
 */
export function preloadTokenizer(): void {
  if (loaded.has('o200k_base')) return;
  setImmediate(() => openAIEncoding('o200k_base'));
}

/** Text such as `<|endoftext|>` in a prompt is plain text to the API, never a special token. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/**
 * A ratio family's calibration: `wordCharsPerToken` applies to ASCII letters and spaces only,
 * in runs of letters and digits that can be words (a longer run, such as base64 or a hash,
 * counts one token per RUN_CHARS_PER_TOKEN characters). Every ASCII digit, punctuation mark and control character counts as a whole token (digits are
 * single tokens in Gemini and Claude; code and JSON are mostly punctuation), and every other
 * character counts its UTF-8 bytes, the Strict bound (non-Latin scripts vary too much between
 * tokenizers for a ratio to be safe). The ratio was set below the lowest letters-per-token seen
 * in the calibration set, which is the safety margin (docs/governance.md has the numbers).
 */
interface RatioCalibration {
  wordCharsPerToken: number;
  perMessage: number;
  perRequest: number;
}

const RATIOS: Record<Exclude<TokenFamily, OpenAIEncodingName>, RatioCalibration> = {
  // Claude's tokenizers give 3.5-4.5 letters per token on English; Opus 4.7's is up to 35% denser.
  anthropic: { wordCharsPerToken: 3, perMessage: 8, perRequest: 16 },
  // Gemini's SentencePiece vocabulary is larger than Claude's; same margin kept.
  gemini: { wordCharsPerToken: 3, perMessage: 8, perRequest: 16 },
  // Llama-family chat templates add a system preamble (Groq's Llama 3.3 reports 36 tokens of it).
  other: { wordCharsPerToken: 3, perMessage: 8, perRequest: 48 },
};

/** Letters and digits in one run past which the run is no word (base64, hashes, identifiers). */
const WORD_RUN_LIMIT = 16;
/** Characters per token of such runs: OpenAI's encodings give 1.4-2 on random letters and digits. */
const RUN_CHARS_PER_TOKEN = 1.25;

export function ratioTokens(text: string, wordCharsPerToken: number): number {
  let wordChars = 0;
  let whole = 0;
  let letters = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0;
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) {
      letters++;
      continue;
    }
    if (c >= 0x30 && c <= 0x39) {
      digits++;
      continue;
    }
    if (letters + digits > WORD_RUN_LIMIT) whole += Math.ceil((letters + digits) / RUN_CHARS_PER_TOKEN);
    else {
      wordChars += letters;
      whole += digits;
    }
    letters = 0;
    digits = 0;
    if (i === text.length) break;
    if (c === 0x20) wordChars++;
    else if (c < 0x80) whole++;
    else if (c < 0x800) whole += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      // A surrogate pair: one code point of 4 UTF-8 bytes.
      whole += 4;
      i++;
    } else whole += 3;
  }
  return Math.ceil(wordChars / wordCharsPerToken) + whole;
}

/** What is left of one request's tokenizer work, shared by every family it is counted for. */
interface TokenizerWork {
  remaining: number;
}

function tokenizerMeasure(name: OpenAIEncodingName, work: TokenizerWork): PromptMeasure {
  return {
    text(text: string): number {
      if (text.length === 0) return 0;
      if (text.length > work.remaining) return utf8Bytes(text);
      work.remaining -= text.length;
      return openAIEncoding(name).countTokens(text, PLAIN_TEXT);
    },
    perMessage: 4,
    perRequest: 4,
    perInput: 0,
  };
}

function ratioMeasure(calibration: RatioCalibration): PromptMeasure {
  return {
    text: (text: string) => ratioTokens(text, calibration.wordCharsPerToken),
    perMessage: calibration.perMessage,
    perRequest: calibration.perRequest,
    perInput: 1,
  };
}

const RATIO_MEASURES = {
  anthropic: ratioMeasure(RATIOS.anthropic),
  gemini: ratioMeasure(RATIOS.gemini),
  other: ratioMeasure(RATIOS.other),
};

function measureFor(family: TokenFamily, work: TokenizerWork): PromptMeasure {
  return family === 'o200k_base' || family === 'cl100k_base' ? tokenizerMeasure(family, work) : RATIO_MEASURES[family];
}

/**
 * Prompt tokens of a request that may reach backends of these families: the largest family's
 * count, so the reservation covers whichever backend serves it.
 */
export function tokenizedPromptTokens(request: UnifiedChatRequest | UnifiedEmbeddingsRequest, families: readonly TokenFamily[]): number {
  const work: TokenizerWork = { remaining: MAX_TOKENIZED_CHARS };
  let tokens = 0;
  for (const family of families) {
    const measure = measureFor(family, work);
    const count = isEmbeddingsRequest(request) ? measureEmbeddingsInput(request, measure) : measureChatPrompt(request, measure);
    if (count > tokens) tokens = count;
  }
  return tokens;
}

/**
 * Tokenizer work allowed for one context-window check: far above the 100,000 characters of a
 * reservation, because the check runs only for prompts whose byte bound already exceeds a
 * backend's window (about 14 ms per million characters), and a bound must not refuse them.
 */
const CONTEXT_TOKENIZED_CHARS = 8_000_000;

/**
 * Characters per token that a prompt of a ratio family is taken to have when checking it against
 * a context window: the typical English density (Claude 3.5-4.5, Gemini 4-5 characters per
 * token) rather than the reservation's safe minimum, so a prompt that fits is never refused. A
 * denser prompt (non-Latin scripts, code) may then pass and be refused by the provider itself.
 */
const CONTEXT_CHARS_PER_TOKEN: Record<Exclude<TokenFamily, OpenAIEncodingName>, number> = { anthropic: 4, gemini: 5, other: 4 };

/**
 * The prompt's tokens as a backend of `family` would count them, for its context window
 * (routing capabilities): exact for OpenAI-family models, a typical density elsewhere.
 */
export function contextWindowTokens(request: UnifiedChatRequest | UnifiedEmbeddingsRequest, family: TokenFamily): number {
  const measure: PromptMeasure =
    family === 'o200k_base' || family === 'cl100k_base'
      ? tokenizerMeasure(family, { remaining: CONTEXT_TOKENIZED_CHARS })
      : {
          text: (text: string) => Math.ceil(text.length / CONTEXT_CHARS_PER_TOKEN[family]),
          perMessage: 4,
          perRequest: 4,
          perInput: 0,
        };
  return isEmbeddingsRequest(request) ? measureEmbeddingsInput(request, measure) : measureChatPrompt(request, measure);
}
