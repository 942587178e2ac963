// Compact JWS (RFC 7515) parsing and signature checks with node:crypto only: the tokens callers
// present instead of a virtual key (ServiceAccount and OIDC ID/access tokens) are JWTs signed with
// RS256 or ES256 in practice; the other RSA and ECDSA sizes and RSA-PSS cost nothing to accept.
// `none` and HMAC are never accepted: the gateway holds no shared secret with any issuer, and a
// token whose header names one is refused before any key is looked up.
import { constants, type KeyObject, verify } from 'node:crypto';
import { isRecord } from '@switchyard/compiler';

/** The largest token read: real ones are 1-2 KiB; anything bigger is refused before decoding. */
const MAX_TOKEN_CHARS = 16 * 1024;

type Verifier = { hash: string; padding?: 'pss'; ecdsa?: true };

const ALGORITHMS: Readonly<Record<string, Verifier>> = {
  RS256: { hash: 'sha256' },
  RS384: { hash: 'sha384' },
  RS512: { hash: 'sha512' },
  PS256: { hash: 'sha256', padding: 'pss' },
  PS384: { hash: 'sha384', padding: 'pss' },
  PS512: { hash: 'sha512', padding: 'pss' },
  ES256: { hash: 'sha256', ecdsa: true },
  ES384: { hash: 'sha384', ecdsa: true },
  ES512: { hash: 'sha512', ecdsa: true },
};

/** A token that is not a well-formed JWT, or whose signature does not verify: the caller's problem (401). */
export class TokenInvalidError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenInvalidError';
  }
}

export interface DecodedJwt {
  /** `alg`, checked to be one the gateway verifies. */
  alg: string;
  kid: string | undefined;
  payload: Record<string, unknown>;
  /** The bytes the signature covers (header.payload, as sent). */
  signingInput: string;
  signature: Buffer;
}

/** A cheap shape test (three base64url segments, a JSON header), so a virtual key never takes the token path. */
export function looksLikeJwt(token: string): boolean {
  // Every JOSE header starts with `{"`, which base64url-encodes to `eyJ`.
  if (!token.startsWith('eyJ') || token.length > MAX_TOKEN_CHARS) return false;
  const first = token.indexOf('.');
  return first > 0 && token.indexOf('.', first + 1) > first + 1;
}

function decodeSegment(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new TokenInvalidError(`token ${what} is not base64url-encoded JSON`);
  }
  if (!isRecord(value)) throw new TokenInvalidError(`token ${what} is not a JSON object`);
  return value;
}

export function decodeJwt(token: string): DecodedJwt {
  if (token.length > MAX_TOKEN_CHARS) throw new TokenInvalidError(`token longer than ${MAX_TOKEN_CHARS} characters`);
  const parts = token.split('.');
  if (parts.length !== 3) throw new TokenInvalidError('token is not a compact JWS (three dot-separated parts)');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeSegment(headerPart, 'header');
  const alg = header.alg;
  if (typeof alg !== 'string' || ALGORITHMS[alg] === undefined) {
    throw new TokenInvalidError(`token algorithm ${JSON.stringify(String(alg).slice(0, 16))} is not accepted (RS*, PS*, ES*)`);
  }
  if (header.crit !== undefined) throw new TokenInvalidError('token header has critical extensions the gateway does not understand');
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  return {
    alg,
    kid,
    payload: decodeSegment(payloadPart, 'payload'),
    signingInput: `${headerPart}.${payloadPart}`,
    signature: Buffer.from(signaturePart, 'base64url'),
  };
}

/** Whether `key` (from the issuer's JWKS) signed `jwt`; a key of the wrong type for `alg` never verifies. */
export function signatureValid(jwt: DecodedJwt, key: KeyObject): boolean {
  const verifier = ALGORITHMS[jwt.alg] as Verifier;
  const type = key.asymmetricKeyType;
  if (verifier.ecdsa ? type !== 'ec' : type !== 'rsa' && type !== 'rsa-pss') return false;
  try {
    return verify(
      verifier.hash,
      Buffer.from(jwt.signingInput, 'ascii'),
      verifier.ecdsa
        ? { key, dsaEncoding: 'ieee-p1363' }
        : verifier.padding === 'pss'
          ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
          : key,
      jwt.signature,
    );
  } catch {
    return false;
  }
}
