// The built-in detectors, table-driven: what each finds, what its checksum or range rules turn
// away, and the spans it reports.
import { describe, expect, it } from '@jest/globals';
import type { PiiEntity } from '@switchyard/compiler';
import {
  denylistDetector,
  ibanValid,
  luhnValid,
  piiDetector,
  regexDetector,
  secretsDetector,
} from '../../src/pipeline/guardrails/detectors.js';

function found(detector: { find(text: string): Array<{ start: number; end: number; label: string }> }, text: string): string[] {
  return detector.find(text).map((m) => `${m.label}:${text.slice(m.start, m.end)}`);
}

describe('PII detectors', () => {
  it.each<[PiiEntity, string, string[]]>([
    ['email', 'write to jane.doe+x@mail.example.co.uk today', ['EMAIL:jane.doe+x@mail.example.co.uk']],
    ['email', 'no address @ here, nor a@b', []],
    ['credit_card', 'card 4111 1111 1111 1111 ok', ['CREDIT_CARD:4111 1111 1111 1111']],
    ['credit_card', 'card 4111-1111-1111-1111', ['CREDIT_CARD:4111-1111-1111-1111']],
    ['credit_card', 'Luhn fails: 4111 1111 1111 1112', []],
    ['credit_card', 'too short 411111111111', []],
    ['iban', 'pay DE89 3704 0044 0532 0130 00 now', ['IBAN:DE89 3704 0044 0532 0130 00']],
    ['iban', 'GB82WEST12345698765432', ['IBAN:GB82WEST12345698765432']],
    ['iban', 'mod-97 fails: GB82WEST12345698765433', []],
    ['us_ssn', 'ssn 123-45-6789.', ['US_SSN:123-45-6789']],
    ['us_ssn', 'never issued 000-12-3456 666-12-3456 900-12-3456 123-00-4567 123-45-0000', []],
    ['ip_address', 'from 192.168.1.20 and 2001:db8::8a2e:370:7334', ['IP_ADDRESS:192.168.1.20', 'IP_ADDRESS:2001:db8::8a2e:370:7334']],
    ['ip_address', 'not 300.1.1.1, not 1.2.3, time 12:30:00', []],
    ['phone', 'call +1 415 555 2671 or (030) 1234 5678', ['PHONE:+1 415 555 2671', 'PHONE:(030) 1234 5678']],
    ['phone', 'version 1.2.3 and 42', []],
  ])('%s in %j', (entity, text, expected) => {
    expect(found(piiDetector([entity]), text)).toEqual(expected);
  });

  it('prefers the longer, validated match where detectors overlap', () => {
    expect(found(piiDetector(['phone', 'credit_card']), 'card 4111 1111 1111 1111')).toEqual(['CREDIT_CARD:4111 1111 1111 1111']);
  });

  it.each<[string, boolean]>([
    ['4111111111111111', true],
    ['79927398713', true],
    ['79927398710', false],
  ])('Luhn %s is %s', (digits, valid) => expect(luhnValid(digits)).toBe(valid));

  it.each<[string, boolean]>([
    ['DE89370400440532013000', true],
    ['FR1420041010050500013M02606', true],
    ['DE89370400440532013001', false],
  ])('IBAN %s is %s', (iban, valid) => expect(ibanValid(iban)).toBe(valid));
});

describe('secrets detector', () => {
  it.each<[string, number]>([
    ['key sk-proj-abcdefghijklmnopqrstuvwx1234', 1],
    ['anthropic sk-ant-api03-abcdefghijklmnopqrstuvwxyz', 1],
    ['aws AKIAIOSFODNN7EXAMPLE', 1],
    ['github ghp_abcdefghijklmnopqrstuvwxyz0123456789', 1],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----', 1],
    ['-----BEGIN OPENSSH PRIVATE KEY-----', 1],
    ['plain words, a sk- prefix and AKIA alone', 0],
  ])('%j has %i secret(s)', (text, count) => {
    expect(secretsDetector().find(text)).toHaveLength(count);
  });
});

describe('denylist and regex detectors', () => {
  it.each<[string[], string, string[]]>([
    [['project falcon'], 'About PROJECT   Falcon today', ['WORDS:PROJECT   Falcon']],
    [['falcon'], 'falconry and falcons are not falcon.', ['WORDS:falcon']],
    [['été'], 'un été chaud, étésien non', ['WORDS:été']],
    [['a.b'], 'axb a.b', ['WORDS:a.b']],
  ])('denylist %j in %j', (phrases, text, expected) => {
    expect(found(denylistDetector(phrases, 'WORDS'), text)).toEqual(expected);
  });

  it('finds every match of a regex check, labelled by the check', () => {
    expect(found(regexDetector('ACME-[0-9]{6}', 'CORP'), 'ACME-123456 and ACME-654321, not ACME-12')).toEqual([
      'CORP:ACME-123456',
      'CORP:ACME-654321',
    ]);
  });
});
