// AWS Signature Version 4 (header-based), written from AWS's published specification
// ("Create a signed AWS API request") and checked against AWS's published test suite.
// Only the non-S3 rules are implemented: the path is normalized and every segment is
// URI-encoded once more, so a path already percent-encoded on the wire ends up double-encoded
// in the canonical request (`/model/a%3A0` -> `/model/a%253A0`), which is what Bedrock expects.

import { createHash, createHmac } from 'node:crypto';

export interface AwsSigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials (STS): sent and signed as `x-amz-security-token`. */
  sessionToken?: string;
}

type SigV4Headers = Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;

interface SigV4Request {
  method: string;
  /** The path exactly as it goes on the wire (percent-encoding and all), starting with `/`. */
  path: string;
  /** The query string as it goes on the wire, without the leading `?`. */
  query?: string;
  /** Headers to sign; must include `host`. Repeated names (array form) are joined with commas. */
  headers: SigV4Headers;
  body?: string | Uint8Array;
}

interface SigV4Options {
  credentials: AwsSigningCredentials;
  region: string;
  service: string;
  /** Signing time. */
  date: Date;
  /** Also send and sign `x-amz-content-sha256` (S3 and a few other services want it; Bedrock does not). */
  contentSha256Header?: boolean;
}

interface SigV4Signature {
  /** Headers to add to the request: `authorization`, `x-amz-date`, and the optional ones. */
  headers: Record<string, string>;
  canonicalRequest: string;
  stringToSign: string;
  signedHeaders: string;
  credentialScope: string;
  signature: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

// Headers that proxies and HTTP stacks add, drop or rewrite; signing them breaks requests in transit.
const UNSIGNED_HEADERS = new Set([
  'authorization',
  'connection',
  'expect',
  'keep-alive',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
]);

/** `20150830T123600Z` */
export function toAmzDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new TypeError('SigV4 signing date is not a valid date');
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** RFC 3986 encoding as AWS defines it: everything but `A-Za-z0-9-_.~` becomes `%XX` (UTF-8, upper-case hex). */
export function awsUriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Uint8Array, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request") */
export function deriveSigningKey(secretAccessKey: string, dateStamp: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secretAccessKey}`, dateStamp);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

/** Removes `.`/`..` segments and empty segments (repeated slashes), keeping a trailing slash. */
function normalizePath(path: string): string {
  const out: string[] = [];
  const segments = path.split('/');
  for (const segment of segments) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  const trailingSlash = path.length > 1 && (path.endsWith('/') || path.endsWith('/.') || path.endsWith('/..'));
  const joined = `/${out.join('/')}`;
  return trailingSlash && joined !== '/' ? `${joined}/` : joined;
}

export function canonicalUri(path: string): string {
  if (!path.startsWith('/')) throw new TypeError(`SigV4 path must start with "/": ${JSON.stringify(path)}`);
  return normalizePath(path).split('/').map(awsUriEncode).join('/');
}

function decodeQueryComponent(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value; // a stray `%` is taken literally, and then encoded as %25
  }
}

function canonicalQueryString(query: string): string {
  if (query === '') return '';
  const pairs: Array<[string, string]> = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? '' : part.slice(eq + 1);
    pairs.push([awsUriEncode(decodeQueryComponent(name)), awsUriEncode(decodeQueryComponent(value))]);
  }
  // Encoded strings are ASCII, so code-unit order is byte order.
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function headerEntries(headers: SigV4Headers): Array<readonly [string, string]> {
  return Array.isArray(headers) ? [...(headers as ReadonlyArray<readonly [string, string]>)] : Object.entries(headers);
}

function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}

interface CanonicalHeaders {
  canonical: string;
  signedHeaders: string;
}

function canonicalHeaders(entries: ReadonlyArray<readonly [string, string]>): CanonicalHeaders {
  const byName = new Map<string, string[]>();
  for (const [rawName, value] of entries) {
    const name = rawName.trim().toLowerCase();
    if (UNSIGNED_HEADERS.has(name)) continue;
    const values = byName.get(name);
    if (values) values.push(canonicalHeaderValue(value));
    else byName.set(name, [canonicalHeaderValue(value)]);
  }
  if (!byName.has('host')) throw new TypeError('SigV4 requests must sign the host header');
  const names = [...byName.keys()].sort();
  return {
    canonical: names.map((name) => `${name}:${(byName.get(name) ?? []).join(',')}\n`).join(''),
    signedHeaders: names.join(';'),
  };
}

/** Signs a request; the returned headers are to be added to the request as given. */
export function signSigV4(request: SigV4Request, options: SigV4Options): SigV4Signature {
  const { credentials, region, service } = options;
  if (!credentials.accessKeyId || !credentials.secretAccessKey)
    throw new TypeError('AWS credentials need an access key id and a secret access key');
  const amzDate = toAmzDate(options.date);
  const dateStamp = amzDate.slice(0, 8);
  const body = request.body ?? '';
  const payloadHash = sha256Hex(body);

  const added: Record<string, string> = { 'x-amz-date': amzDate };
  if (credentials.sessionToken) added['x-amz-security-token'] = credentials.sessionToken;
  if (options.contentSha256Header) added['x-amz-content-sha256'] = payloadHash;
  const addedNames = new Set(Object.keys(added));
  const entries = headerEntries(request.headers).filter(([name]) => !addedNames.has(name.trim().toLowerCase()));
  entries.push(...Object.entries(added));

  const headers = canonicalHeaders(entries);
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalUri(request.path),
    canonicalQueryString(request.query ?? ''),
    headers.canonical,
    headers.signedHeaders,
    payloadHash,
  ].join('\n');
  const credentialScope = `${dateStamp}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', deriveSigningKey(credentials.secretAccessKey, dateStamp, region, service))
    .update(stringToSign, 'utf8')
    .digest('hex');

  return {
    headers: {
      ...added,
      authorization: `${ALGORITHM} Credential=${credentials.accessKeyId}/${credentialScope}, SignedHeaders=${headers.signedHeaders}, Signature=${signature}`,
    },
    canonicalRequest,
    stringToSign,
    signedHeaders: headers.signedHeaders,
    credentialScope,
    signature,
  };
}

interface SigV4HttpRequest {
  method: string;
  url: string;
  /** Headers that will be sent; `host` is taken from the URL when absent. */
  headers: Readonly<Record<string, string>>;
  body?: string | Uint8Array;
}

/** Signs a request addressed by URL: the path and query are those a WHATWG URL puts on the wire. */
export function signHttpRequest(request: SigV4HttpRequest, options: SigV4Options): SigV4Signature {
  const url = new URL(request.url);
  const hasHost = Object.keys(request.headers).some((name) => name.toLowerCase() === 'host');
  const headers = hasHost ? request.headers : { ...request.headers, host: url.host };
  return signSigV4({ method: request.method, path: url.pathname, query: url.search.slice(1), headers, body: request.body }, options);
}

interface ParsedAuthorization {
  accessKeyId: string;
  dateStamp: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `AWS4-HMAC-SHA256 Credential=.../date/region/service/aws4_request, SignedHeaders=..., Signature=...`. */
export function parseAuthorizationHeader(value: string): ParsedAuthorization | undefined {
  const match = /^AWS4-HMAC-SHA256\s+(.*)$/.exec(value.trim());
  if (!match?.[1]) return undefined;
  const fields = new Map<string, string>();
  for (const part of match[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential')?.split('/');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential?.length !== 5 || credential[4] !== 'aws4_request' || !signedHeaders || !signature) return undefined;
  const [accessKeyId, dateStamp, region, service] = credential as [string, string, string, string, string];
  return { accessKeyId, dateStamp, region, service, signedHeaders: signedHeaders.split(';'), signature };
}
