// Gemini names models in the path: `/genai/v1beta/models/{model}:{method}`. Model names may
// themselves contain `/` (`org/model`) but never `:` (docs/architecture.md), so the method is
// everything after the last colon. Callers may write names as resources (`models/gemini-flash`);
// the public name is the part after `models/` (wire/gemini/gemini-model-names.ts).

import { publicModelName } from '../../wire/gemini/index.js';

const GEMINI_CHAT_METHODS = ['generateContent', 'streamGenerateContent'] as const;
const GEMINI_METHODS = [...GEMINI_CHAT_METHODS, 'countTokens', 'embedContent', 'batchEmbedContents'] as const;
export type GeminiMethod = (typeof GEMINI_METHODS)[number];

interface GeminiModelPath {
  model: string;
  method: GeminiMethod;
}

/** `rest` is the path after `.../models/`; undefined when it names no model and known method. */
export function parseGeminiModelPath(rest: string): GeminiModelPath | undefined {
  const colon = rest.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const method = rest.slice(colon + 1);
  if (!(GEMINI_METHODS as readonly string[]).includes(method)) return undefined;
  let model: string;
  try {
    model = decodeURIComponent(rest.slice(0, colon));
  } catch {
    return undefined;
  }
  model = publicModelName(model);
  return model === '' ? undefined : { model, method: method as GeminiMethod };
}
