// Fresh virtual keys: `sk-sy-` + 40 base62 characters (about 238 bits). Bytes come from the
// CSPRNG; rejection sampling keeps every character equally likely (a plain `byte % 62` would
// favour the first 8 characters, since 256 is not a multiple of 62).
import { randomBytes } from 'node:crypto';

const VIRTUAL_KEY_PREFIX = 'sk-sy-';
const VIRTUAL_KEY_RANDOM_LENGTH = 40;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** The largest multiple of 62 that fits in a byte: bytes at or above it are thrown away. */
const ACCEPT_BELOW = 256 - (256 % ALPHABET.length);

export function generateVirtualKey(random: (size: number) => Buffer = randomBytes): string {
  let out = VIRTUAL_KEY_PREFIX;
  while (out.length < VIRTUAL_KEY_PREFIX.length + VIRTUAL_KEY_RANDOM_LENGTH) {
    for (const byte of random(64)) {
      if (byte >= ACCEPT_BELOW) continue;
      out += ALPHABET[byte % ALPHABET.length];
      if (out.length === VIRTUAL_KEY_PREFIX.length + VIRTUAL_KEY_RANDOM_LENGTH) break;
    }
  }
  return out;
}
