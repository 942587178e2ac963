// The token authenticator as the gateway's flags configure it (docs/tenancy.md, "Callers without
// a shared secret").
import { readFileSync } from 'node:fs';
import type { UpstreamTransport } from '../../transport/upstream-transport.js';
import { clusterJsonFetcher, guardedJsonFetcher } from './issuer-documents.js';
import { decodeJwt } from './jwt.js';
import { TokenAuthenticator } from './token-authenticator.js';

export interface TokenAuthenticatorSettings {
  tokenAudience: string;
  serviceAccountIssuer: string | undefined;
  issuerCaFile: string | undefined;
  issuerTokenFile: string | undefined;
  /** The gateway's own ServiceAccount token (cluster mode): its iss is the cluster's issuer when none is configured. */
  ownTokenFile: string | undefined;
}

/** The iss claim of the gateway's own projected token; undefined when the file is missing or not a JWT. */
function issuerOfTokenFile(path: string): string | undefined {
  try {
    const iss = decodeJwt(readFileSync(path, 'utf8').trim()).payload.iss;
    return typeof iss === 'string' && iss.startsWith('https://') ? iss : undefined;
  } catch {
    return undefined;
  }
}

export function createTokenAuthenticator(settings: TokenAuthenticatorSettings, transport: UpstreamTransport): TokenAuthenticator {
  const issuer =
    settings.serviceAccountIssuer ?? (settings.ownTokenFile === undefined ? undefined : issuerOfTokenFile(settings.ownTokenFile));
  return new TokenAuthenticator({
    audience: settings.tokenAudience,
    serviceAccountIssuer: issuer,
    serviceAccountFetcher:
      issuer === undefined ? undefined : clusterJsonFetcher({ issuer, caFile: settings.issuerCaFile, tokenFile: settings.issuerTokenFile }),
    oidcFetcher: guardedJsonFetcher(transport),
  });
}
