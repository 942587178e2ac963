// The service-account JSON is checked once, and every problem is named without quoting the key.

import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { GOOGLE_TOKEN_URI, parseServiceAccountKey, ServiceAccountKeyError } from '../../../src/providers/vertex-ai/service-account-key.js';
import { createTestServiceAccount, TEST_CLIENT_EMAIL } from './vertex-ai-test-support.js';

const account = createTestServiceAccount();
const good = JSON.parse(account.json('https://oauth2.googleapis.com/token')) as Record<string, unknown>;
const ecKeyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function withFields(fields: Record<string, unknown>): string {
  return JSON.stringify({ ...good, ...fields });
}

function without(name: string): string {
  const copy = { ...good };
  delete copy[name];
  return JSON.stringify(copy);
}

describe('parseServiceAccountKey', () => {
  it('reads a Google key file', () => {
    const key = parseServiceAccountKey(account.json('https://oauth2.googleapis.com/token'));
    expect(key.clientEmail).toBe(TEST_CLIENT_EMAIL);
    expect(key.tokenUri).toBe('https://oauth2.googleapis.com/token');
    expect(key.privateKeyId).toBe('a1b2c3d4e5f60718293a4b5c6d7e8f9012345678');
    expect(key.projectId).toBe('switchyard-test-project');
    expect(key.privateKey.asymmetricKeyType).toBe('rsa');
  });

  it("defaults token_uri to Google's token endpoint", () => {
    expect(parseServiceAccountKey(without('token_uri')).tokenUri).toBe(GOOGLE_TOKEN_URI);
  });

  it('accepts plain http only to a loopback token endpoint', () => {
    expect(parseServiceAccountKey(withFields({ token_uri: 'http://127.0.0.1:9999/token' })).tokenUri).toBe('http://127.0.0.1:9999/token');
  });

  const broken: Array<[string, string, string]> = [
    ['not JSON', '{"type": "service_account", "private_key": "-----BEGIN', 'is not valid JSON'],
    ['a JSON array', '[]', 'is not a JSON object'],
    ['a JSON string', '"abc"', 'is not a JSON object'],
    ['an authorized_user file', withFields({ type: 'authorized_user' }), 'has type "authorized_user", not "service_account"'],
    ['no client_email', without('client_email'), 'has no client_email'],
    ['no private_key', without('private_key'), 'has no private_key'],
    ['an empty private_key', withFields({ private_key: '' }), 'has an empty or non-string private_key'],
    ['a numeric client_email', withFields({ client_email: 42 }), 'has an empty or non-string client_email'],
    [
      'a private_key that is not PEM',
      withFields({ private_key: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC' }),
      'has a private_key that is not a PEM private key',
    ],
    ['an EC private_key', withFields({ private_key: ecKeyPem }), 'has a ec private_key'],
    ['a token_uri that is not a URL', withFields({ token_uri: 'not a url' }), 'has a token_uri that is not a URL'],
    ['plain http to another host', withFields({ token_uri: 'http://oauth2.example.com/token' }), 'has a token_uri that is not https'],
  ];
  it.each(broken)('refuses %s, naming the problem and nothing secret', (_name, json, problem) => {
    let thrown: unknown;
    try {
      parseServiceAccountKey(json);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ServiceAccountKeyError);
    const message = (thrown as Error).message;
    expect(message).toContain(problem);
    expect(message).not.toContain('PRIVATE KEY');
    expect(message).not.toContain(account.privateKeyPem.slice(40, 80));
  });
});
