// Shared by the audio tests: backends pointed at the audio mock, and a gateway serving them.
import { toFile, type Uploadable } from 'openai/uploads';

/** An audio backend of `provider` with its key from the `audio` Secret. */
export function audioBackend(
  name: string,
  provider: string,
  baseURL: string,
  model: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { name, provider, model, baseURL, credentials: [{ secretRef: { name: 'audio', key: 'apiKey' } }], ...extra };
}

/** The mock hears a file's bytes as UTF-8 text: this one says `words`. */
export function spokenFile(words: string, name = 'speech.mp3'): Promise<Uploadable> {
  return toFile(Buffer.from(words, 'utf8'), name, { type: 'audio/mpeg' });
}

/** USD per million units -> the cost header of `units` of them (nine decimals at most, no trailing zeros). */
export function costHeader(perMillion: number, units: number): string {
  const nanos = Math.ceil(perMillion * 1000 * units - 1e-9);
  return (nanos / 1e9).toFixed(9).replace(/0+$/, '').replace(/\.$/, '');
}
