// The built-in detectors of guardrail checks: each finds candidate spans with a regular
// expression whose repetitions are all bounded (so a scan is linear in the text) and, where the
// kind of value has a checksum, keeps only the candidates that validate (Luhn for cards, mod-97
// for IBANs, the SSA's rules for SSNs, octet ranges for IPv4, the parser for IPv6). The pattern
// of a `regex` check was refused at compile time unless it is in the linear-time subset.
import { isIPv6 } from 'node:net';
import type { PiiEntity } from '@switchyard/compiler';

/** A span of a text that a detector matched; `label` names the placeholder ([EMAIL_1]). */
export interface Match {
  start: number;
  end: number;
  label: string;
  /** Found on a prompt by a check with `restore`: the answer gets the value back. */
  restore?: true;
}

/** Finds every (non-overlapping, left to right) match in a text. */
export interface Detector {
  find(text: string): Match[];
}

function digitsOf(value: string): string {
  return value.replace(/\D/g, '');
}

/** Luhn (ISO/IEC 7812): every second digit from the right doubled, the sum a multiple of 10. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** ISO 13616: the first four characters moved to the end, letters as 10..35, the number mod 97 is 1. */
export function ibanValid(candidate: string): boolean {
  const iban = candidate.replace(/ /g, '').toUpperCase();
  if (iban.length < 15 || iban.length > 34) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const value = code >= 65 && code <= 90 ? String(code - 55) : char;
    for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

/** Area not 000, 666 or 9xx; group not 00; serial not 0000 (the SSA's never-issued ranges). */
function ssnValid(candidate: string): boolean {
  const [area, group, serial] = candidate.split('-') as [string, string, string];
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

function ipv4Valid(candidate: string): boolean {
  return candidate.split('.').every((octet) => Number(octet) <= 255 && (octet.length === 1 || octet[0] !== '0'));
}

function phoneValid(candidate: string): boolean {
  const digits = digitsOf(candidate).length;
  return digits >= 10 && digits <= 15;
}

/** A detector from a global regex and an optional validation of each candidate. */
function patternDetector(regex: RegExp, label: string, valid?: (candidate: string) => boolean): Detector {
  return {
    find(text) {
      const matches: Match[] = [];
      regex.lastIndex = 0;
      for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
        if (m[0].length === 0) {
          regex.lastIndex += 1;
          continue;
        }
        if (valid === undefined || valid(m[0])) matches.push({ start: m.index, end: m.index + m[0].length, label });
      }
      return matches;
    },
  };
}

// Word-ish boundaries written as bounded lookarounds on one character: these are our own
// patterns, each a constant-width check, so the linear-time rule for user patterns is kept.
const PII_DETECTORS: Record<PiiEntity, Detector> = {
  email: patternDetector(/(?<![\w.%+-])[\w.%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![\w-])/g, 'EMAIL'),
  credit_card: patternDetector(/(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g, 'CREDIT_CARD', (c) => luhnValid(digitsOf(c))),
  iban: patternDetector(/(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])/g, 'IBAN', ibanValid),
  us_ssn: patternDetector(/(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])/g, 'US_SSN', ssnValid),
  phone: patternDetector(
    /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]?\d{3,4}(?![\w-])/g,
    'PHONE',
    phoneValid,
  ),
  ip_address: {
    find(text) {
      return [
        ...patternDetector(/(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])/g, 'IP_ADDRESS', ipv4Valid).find(text),
        ...patternDetector(/(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])/g, 'IP_ADDRESS', isIPv6).find(text),
      ];
    },
  },
};

/** PII detectors in a fixed order: the validated, more specific ones first, so they win an overlap. */
const PII_ORDER: readonly PiiEntity[] = ['email', 'credit_card', 'iban', 'us_ssn', 'ip_address', 'phone'];

export function piiDetector(entities: readonly PiiEntity[]): Detector {
  const detectors = PII_ORDER.filter((entity) => entities.includes(entity)).map((entity) => PII_DETECTORS[entity]);
  return { find: (text) => withoutOverlaps(detectors.flatMap((detector) => detector.find(text))) };
}

/** Credentials that look like what they are: provider API keys, cloud access keys, tokens, PEM private keys. */
const SECRET_PATTERNS: readonly RegExp[] = [
  /-----BEGIN (?:[A-Z]{1,16} ){0,3}PRIVATE KEY-----(?:[\s\S]{0,8192}?-----END (?:[A-Z]{1,16} ){0,3}PRIVATE KEY-----)?/g,
  /(?<![\w-])sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,200}(?![\w-])/g, // OpenAI, Anthropic
  /(?<![A-Z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Z0-9])/g, // AWS access key id
  /(?<!\w)gh[pousr]_[A-Za-z0-9]{36,255}(?!\w)/g, // GitHub
  /(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])/g, // Google API key
  /(?<![\w-])xox[abposr]-[A-Za-z0-9-]{10,200}(?![\w-])/g, // Slack
  /(?<!\w)(?:sk|rk)_live_[A-Za-z0-9]{20,200}(?!\w)/g, // Stripe
];

export function secretsDetector(): Detector {
  const detectors = SECRET_PATTERNS.map((regex) => patternDetector(new RegExp(regex.source, regex.flags), 'SECRET'));
  return { find: (text) => withoutOverlaps(detectors.flatMap((detector) => detector.find(text))) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Case-insensitive, on word boundaries (letters, digits and _ of any script), whitespace inside a phrase matching any run of it. */
export function denylistDetector(phrases: readonly string[], label: string): Detector {
  // Longer phrases first, so "project falcon x" wins over "project falcon".
  const sources = [...phrases]
    .sort((a, b) => b.length - a.length)
    .map((phrase) => escapeRegExp(phrase.trim()).replace(/\s+/g, '\\s{1,16}'))
    .filter((source) => source.length > 0);
  const regex = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${sources.join('|')})(?![\\p{L}\\p{N}_])`, 'giu');
  return patternDetector(regex, label);
}

export function regexDetector(pattern: string, label: string): Detector {
  return patternDetector(new RegExp(pattern, 'gu'), label);
}

/** Matches sorted by start, an overlapping later one dropped (the earlier, then the longer, wins). */
export function withoutOverlaps(matches: Match[]): Match[] {
  if (matches.length < 2) return matches;
  matches.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Match[] = [];
  let end = -1;
  for (const match of matches) {
    if (match.start < end) continue;
    kept.push(match);
    end = match.end;
  }
  return kept;
}
