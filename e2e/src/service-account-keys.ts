import { generateKeyPair } from 'node:crypto';

export interface PemKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

/**
 * RSA pair the API server signs ServiceAccount tokens with (private) and verifies them with
 * (public). kube-controller-manager gets the private key too, for legacy token Secrets.
 */
export function generateServiceAccountKeyPair(): Promise<PemKeyPair> {
  return new Promise((resolve, reject) => {
    generateKeyPair(
      'rsa',
      {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      },
      (error, publicKeyPem, privateKeyPem) => {
        if (error) reject(error);
        else resolve({ privateKeyPem, publicKeyPem });
      },
    );
  });
}
