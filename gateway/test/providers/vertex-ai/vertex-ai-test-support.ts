// Shared builders for the Vertex AI tests: a fresh RSA key pair (node:crypto) standing in for a
// Google service account and its key JSON.

import { generateKeyPairSync } from 'node:crypto';

export const TEST_PROJECT = 'switchyard-test-project';
export const TEST_LOCATION = 'us-central1';
export const TEST_CLIENT_EMAIL = 'gateway@switchyard-test-project.iam.gserviceaccount.com';

export interface TestServiceAccount {
  publicKeyPem: string;
  privateKeyPem: string;
  /** The key file JSON, its token_uri pointing at `tokenUri`. */
  json(tokenUri: string, overrides?: Record<string, unknown>): string;
}

export function createTestServiceAccount(clientEmail = TEST_CLIENT_EMAIL): TestServiceAccount {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    publicKeyPem,
    privateKeyPem,
    json: (tokenUri, overrides = {}) =>
      JSON.stringify({
        type: 'service_account',
        project_id: TEST_PROJECT,
        private_key_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
        private_key: privateKeyPem,
        client_email: clientEmail,
        client_id: '104729384756102938475',
        auth_uri: 'https://accounts.google.com/o/oauth2/auth',
        token_uri: tokenUri,
        ...overrides,
      }),
  };
}
