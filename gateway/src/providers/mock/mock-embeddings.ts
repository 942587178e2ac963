// The mock embedding model: deterministic unit vectors in which paraphrases are close. A text is
// folded to lower-case words; each word is mapped through a small lexicon (synonyms to one
// canonical word, filler words dropped, negations and numbers kept with extra weight, see
// mock-embedding-lexicon.ts); every remaining word and its character trigrams are hashed
// (feature hashing with a hashed sign) into the vector, which is then normalized. Equal inputs
// embed equally; texts sharing no meaningful word are nearly orthogonal. No randomness leaks into
// tests, and the semantic cache's evaluation and tests use it as their embedding model.
import { createHash } from 'node:crypto';
import { canonicalWord, PHRASES, type WordClass } from './mock-embedding-lexicon.js';

export const DEFAULT_MOCK_EMBEDDING_DIMENSIONS = 256;

/** A word's own feature weighs this much; a number or a negation changes the meaning, so it weighs more. */
const WORD_WEIGHT: Record<WordClass | 'name', number> = { word: 1, name: 2, number: 2.5, negation: 3 };
/** Each character trigram of a word (with its boundaries): spelling variants and inflections overlap. */
const TRIGRAM_WEIGHT = 0.25;

export function mockEmbedding(input: string, dimensions: number): number[] {
  const values = new Float64Array(dimensions);
  let features = 0;
  let text = input.normalize('NFKC');
  // Before lower-casing: a capitalized word after the first, or one with inner capitals or digits
  // (PostgreSQL, iPhone), names something; changing it changes the question.
  const names = new Set<string>();
  text.split(/\s+/).forEach((word, index) => {
    const bare = word.replace(/[^\p{L}\p{N}]/gu, '');
    if ((index > 0 && /^\p{Lu}/u.test(bare)) || /.\p{Lu}/u.test(bare)) names.add(bare.toLowerCase());
  });
  text = text.toLowerCase().replace(/'s\b/g, '');
  for (const [phrase, word] of PHRASES) text = text.replace(phrase, word);
  for (const raw of text.split(/[^\p{L}\p{N}.,']+/u)) {
    const cleaned = raw.replace(/'/g, '').replace(/^[.,]+|[.,]+$/g, '');
    if (cleaned === '') continue;
    const canonical = canonicalWord(stem(cleaned));
    if (canonical === undefined) continue;
    const kind = canonical.kind === 'word' && names.has(cleaned) ? 'name' : canonical.kind;
    addFeature(values, `w:${canonical.word}`, WORD_WEIGHT[kind]);
    features += 1;
    if (canonical.kind !== 'word') continue;
    const padded = `^${canonical.word}$`;
    for (let i = 0; i + 3 <= padded.length; i++) addFeature(values, `t:${padded.slice(i, i + 3)}`, TRIGRAM_WEIGHT);
  }
  // Only filler (or nothing): the text itself is the one feature, so different texts still differ.
  if (features === 0) addFeature(values, `x:${input}`, 1);
  let norm = 0;
  for (const value of values) norm += value * value;
  norm = Math.sqrt(norm) || 1;
  return Array.from(values, (value) => value / norm);
}

/** A plural's singular when the singular is not a known word of its own ("files" -> "file"; "is", "bus" stay). */
function stem(word: string): string {
  if (word.length <= 3 || !word.endsWith('s') || /(ss|us|is)$/.test(word)) return word;
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  return word.slice(0, -1);
}

/**
 * Each feature lands in HASHES positions with hashed signs, so two features (two numbers) share
 * their whole weight only if all positions collide, not with the 1-in-2·dimensions chance of one.
 */
const HASHES = 3;

function addFeature(values: Float64Array, feature: string, weight: number): void {
  const digest = createHash('sha256').update(feature).digest();
  const share = weight / Math.sqrt(HASHES);
  for (let h = 0; h < HASHES; h++) {
    const index = digest.readUInt32BE(h * 5) % values.length;
    values[index] = (values[index] as number) + ((digest[h * 5 + 4] as number) % 2 === 0 ? share : -share);
  }
}
