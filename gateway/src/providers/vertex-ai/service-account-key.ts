// A Google service-account key file (the JSON `gcloud iam service-accounts keys create` writes),
// parsed and checked once per credential. Problems are reported by field name only: the file
// holds a private key, and no part of it may reach a message, a log line or a metric.

import { createPrivateKey, type KeyObject } from 'node:crypto';

/** Where Google's service-account files send the JWT bearer grant when they name no token_uri. */
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';

export interface ServiceAccountKey {
  clientEmail: string;
  privateKey: KeyObject;
  /** Sent as the JWT header `kid`, so Google picks the right public key at once. */
  privateKeyId: string | undefined;
  tokenUri: string;
  projectId: string | undefined;
}

/** The service-account JSON is unusable; `problem` names what is wrong, never a value. */
export class ServiceAccountKeyError extends Error {
  constructor(readonly problem: string) {
    super(problem);
    this.name = 'ServiceAccountKeyError';
  }
}

export function parseServiceAccountKey(json: string): ServiceAccountKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ServiceAccountKeyError('is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ServiceAccountKeyError('is not a JSON object');
  const fields = parsed as Record<string, unknown>;
  const type = fields['type'];
  if (type !== undefined && type !== 'service_account') {
    throw new ServiceAccountKeyError(
      `has type ${JSON.stringify(typeof type === 'string' ? type.slice(0, 40) : typeof type)}, not "service_account" (only service-account keys are supported)`,
    );
  }
  const clientEmail = requiredString(fields, 'client_email');
  const privateKeyPem = requiredString(fields, 'private_key');
  const tokenUri = optionalString(fields, 'token_uri') ?? GOOGLE_TOKEN_URI;
  checkTokenUri(tokenUri);
  return {
    clientEmail,
    privateKey: rsaPrivateKey(privateKeyPem),
    privateKeyId: optionalString(fields, 'private_key_id'),
    tokenUri,
    projectId: optionalString(fields, 'project_id'),
  };
}

function requiredString(fields: Record<string, unknown>, name: string): string {
  const value = fields[name];
  if (value === undefined || value === null) throw new ServiceAccountKeyError(`has no ${name}`);
  if (typeof value !== 'string' || value.trim() === '') throw new ServiceAccountKeyError(`has an empty or non-string ${name}`);
  return value;
}

function optionalString(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new ServiceAccountKeyError(`has an empty or non-string ${name}`);
  return value;
}

function rsaPrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    // The parser's own message may quote the input; it is not passed on.
    throw new ServiceAccountKeyError('has a private_key that is not a PEM private key');
  }
  if (key.asymmetricKeyType !== 'rsa')
    throw new ServiceAccountKeyError(
      `has a ${key.asymmetricKeyType ?? 'non-RSA'} private_key; Google signs service-account JWTs with RS256 (RSA)`,
    );
  return key;
}

function checkTokenUri(uri: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ServiceAccountKeyError('has a token_uri that is not a URL');
  }
  if (url.protocol === 'https:') return;
  // The assertion is a bearer credential for up to an hour: plain HTTP only to this machine (tests, local emulators).
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return;
  throw new ServiceAccountKeyError('has a token_uri that is not https (plain http is allowed only to a loopback address)');
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
