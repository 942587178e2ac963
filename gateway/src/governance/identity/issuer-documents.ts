// Fetching an issuer's OpenID Connect discovery document and JWKS: every fetch has a deadline and
// a bounded body, and no redirect is followed. Two ways out:
// - OIDC issuers named in VirtualKeys are tenant input, so they go through the gateway's upstream
//   transport and its egress guard, like any backend URL;
// - the cluster's ServiceAccount issuer (the API server, a gateway flag, not tenant input) needs
//   the cluster's CA and, in most clusters, a bearer token: a dedicated undici Agent.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { isRecord } from '@switchyard/compiler';
import { EgressDeniedError } from '../../transport/egress-guard.js';
import type { UpstreamTransport } from '../../transport/upstream-transport.js';

/** Longest one discovery or JWKS fetch may take, connection included. */
const ISSUER_FETCH_TIMEOUT_MS = 5_000;
/** Largest discovery document or JWKS read (real ones are a few KiB). */
const MAX_ISSUER_DOCUMENT_BYTES = 256 * 1024;

/** The API server answers its JWKS only to a client that accepts the JWK Set media type (RFC 7517, section 8.5). */
const ACCEPT = 'application/json, application/jwk-set+json';

/** The issuer's keys cannot be had right now: the gateway's problem, not the caller's (503). */
export class IssuerUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IssuerUnavailableError';
  }
}

/** GETs one JSON document; throws IssuerUnavailableError naming the URL and the problem. */
export type JsonFetcher = (url: string) => Promise<Record<string, unknown>>;

async function readBoundedJson(
  url: string,
  status: number,
  body: AsyncIterable<Buffer> & { destroy(): unknown },
): Promise<Record<string, unknown>> {
  if (status !== 200) {
    body.destroy();
    throw new IssuerUnavailableError(`GET ${url} answered ${status}`);
  }
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of body) {
    received += chunk.length;
    if (received > MAX_ISSUER_DOCUMENT_BYTES) {
      body.destroy();
      throw new IssuerUnavailableError(`GET ${url}: answer larger than ${MAX_ISSUER_DOCUMENT_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new IssuerUnavailableError(`GET ${url}: answer is not JSON`);
  }
  if (!isRecord(parsed)) throw new IssuerUnavailableError(`GET ${url}: answer is not a JSON object`);
  return parsed;
}

function unreachable(url: string, error: unknown): IssuerUnavailableError {
  if (error instanceof IssuerUnavailableError) return error;
  // Like a refused backend: the caller learns the guard refused it, not which address it resolved to.
  if (error instanceof EgressDeniedError)
    return new IssuerUnavailableError(`GET ${url}: issuer refused by the egress guard (its address is in --deny-upstream-cidrs)`, {
      cause: error,
    });
  const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  return new IssuerUnavailableError(
    timedOut ? `GET ${url}: no answer within ${ISSUER_FETCH_TIMEOUT_MS} ms` : `GET ${url} failed: ${(error as Error).message}`,
    { cause: error },
  );
}

/** Through the gateway's upstream transport: the egress guard applies and redirects are not followed. */
export function guardedJsonFetcher(transport: UpstreamTransport): JsonFetcher {
  return async (url) => {
    try {
      const response = await transport.send(
        { url, method: 'GET', headers: { accept: ACCEPT } },
        { connectMs: ISSUER_FETCH_TIMEOUT_MS, bodyIdleMs: ISSUER_FETCH_TIMEOUT_MS },
        AbortSignal.timeout(ISSUER_FETCH_TIMEOUT_MS),
      );
      return await readBoundedJson(url, response.status, response.body as never);
    } catch (error) {
      throw unreachable(url, error);
    }
  };
}

export interface ClusterIssuerFetchOptions {
  /** The issuer URL; the bearer token is sent to its origin only. */
  issuer: string;
  /** PEM bundle trusted for the issuer (the cluster CA); undefined: the system roots. */
  caFile: string | undefined;
  /** A token the API server accepts (re-read on every fetch: the kubelet rotates it); undefined: anonymous. */
  tokenFile: string | undefined;
}

/**
 * For the cluster's ServiceAccount issuer. The API server serves discovery and JWKS to the
 * `system:service-account-issuer-discovery` ClusterRole, so the gateway authenticates with a
 * token of API audience; the token is never sent to another origin (a jwks_uri elsewhere, such
 * as a cloud's public OIDC bucket, is fetched without it).
 */
export function clusterJsonFetcher(options: ClusterIssuerFetchOptions): JsonFetcher {
  const issuerOrigin = new URL(options.issuer).origin;
  // Made at the first fetch, and again after a failure to read the CA: the CA file is a mounted
  // volume, which may appear after the gateway started (and is not needed until a token arrives).
  let agent: Agent | undefined;
  const agentNow = (): Agent => {
    if (agent !== undefined) return agent;
    let ca: string | undefined;
    try {
      ca = options.caFile === undefined ? undefined : readFileSync(options.caFile, 'utf8');
    } catch (error) {
      throw new IssuerUnavailableError(`cannot read --issuer-ca-file ${options.caFile}: ${(error as Error).message}`);
    }
    agent = new Agent({ connect: { timeout: ISSUER_FETCH_TIMEOUT_MS, ...(ca === undefined ? {} : { ca }) } });
    return agent;
  };
  return async (url) => {
    const dispatcher = agentNow();
    const headers: Record<string, string> = { accept: ACCEPT };
    if (options.tokenFile !== undefined && new URL(url).origin === issuerOrigin) {
      let token: string;
      try {
        token = readFileSync(options.tokenFile, 'utf8').trim();
      } catch (error) {
        throw new IssuerUnavailableError(`cannot read --issuer-token-file ${options.tokenFile}: ${(error as Error).message}`);
      }
      headers.authorization = `Bearer ${token}`;
    }
    try {
      const response = await request(url, {
        dispatcher,
        method: 'GET',
        headers,
        signal: AbortSignal.timeout(ISSUER_FETCH_TIMEOUT_MS),
      });
      return await readBoundedJson(url, response.statusCode, response.body as never);
    } catch (error) {
      throw unreachable(url, error);
    }
  };
}
