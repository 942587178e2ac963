// The JWT bearer grant's assertion (RFC 7523, as Google documents it for service accounts):
// an RS256-signed JWT naming the service account as issuer and subject, the token endpoint as
// audience, and the OAuth scope it wants, valid for one hour.

import { createSign } from 'node:crypto';
import type { ServiceAccountKey } from './service-account-key.js';

const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** Google accepts assertions valid for at most an hour. */
const ASSERTION_LIFETIME_SECONDS = 3600;

interface JwtAssertionClaims {
  iss: string;
  sub: string;
  aud: string;
  scope: string;
  iat: number;
  exp: number;
}

export function jwtAssertionClaims(key: ServiceAccountKey, nowMs: number, scope = CLOUD_PLATFORM_SCOPE): JwtAssertionClaims {
  const iat = Math.floor(nowMs / 1000);
  return { iss: key.clientEmail, sub: key.clientEmail, aud: key.tokenUri, scope, iat, exp: iat + ASSERTION_LIFETIME_SECONDS };
}

/** `<header>.<claims>.<signature>`, each base64url, signed RSASSA-PKCS1-v1_5 with SHA-256. */
export function signJwtAssertion(key: ServiceAccountKey, claims: JwtAssertionClaims): string {
  const header: Record<string, string> = { alg: 'RS256', typ: 'JWT' };
  if (key.privateKeyId !== undefined) header['kid'] = key.privateKeyId;
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(key.privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
