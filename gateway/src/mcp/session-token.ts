// Sessions of the 2025-11-25 protocol without session state: the `Mcp-Session-Id` the gateway
// hands out is self-describing and signed (HMAC-SHA256 with a secret every replica shares), so
// any replica, including one started after the session began, accepts a follow-up without sticky
// routing or a shared store. What it carries: the key it was issued to (a session is never
// usable with another key), the protocol version negotiated, a digest of the client's declared
// capabilities (and whether they include URL-mode elicitation, which decides how sign-in links
// are sent, per-user-oauth.ts), and the issue time (sessions expire after a bounded age). A session cannot be
// revoked before it expires: DELETE /mcp is answered 405, which the protocol allows for servers
// that do not let clients end sessions.
import { createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { canonicalJson, isRecord } from '@switchyard/compiler';

/** How long a session id is accepted after it was issued; a client then initializes again. */
export const DEFAULT_MCP_SESSION_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** Shortest shared secret accepted from --mcp-session-secret-file. */
export const MIN_MCP_SESSION_SECRET_BYTES = 32;

interface McpSession {
  /** The VirtualKey id (`namespace/name`) the session was issued to. */
  readonly keyId: string;
  readonly protocolVersion: string;
  /** SHA-256 (hex) of the canonical JSON of the client's declared capabilities. */
  readonly capabilitiesDigest: string;
  /** The client declared URL-mode elicitation (`capabilities.elicitation.url`). */
  readonly urlElicitation: boolean;
  readonly issuedAtMs: number;
}

export type SessionCheck = { readonly ok: true; readonly session: McpSession } | { readonly ok: false; readonly reason: string };

const TOKEN_VERSION = 'v1';

export class McpSessionSigner {
  constructor(
    private readonly secret: Buffer,
    private readonly maxAgeMs: number = DEFAULT_MCP_SESSION_MAX_AGE_MS,
  ) {
    if (secret.length < MIN_MCP_SESSION_SECRET_BYTES)
      throw new Error(`the MCP session secret must be at least ${MIN_MCP_SESSION_SECRET_BYTES} bytes (--mcp-session-secret-file)`);
  }

  /** A random per-process secret: sessions then work on this process only and end with it. */
  static ephemeral(maxAgeMs?: number): McpSessionSigner {
    return new McpSessionSigner(randomBytes(MIN_MCP_SESSION_SECRET_BYTES), maxAgeMs);
  }

  issue(keyId: string, protocolVersion: string, capabilities: unknown, nowMs: number): string {
    const payload = Buffer.from(
      JSON.stringify({
        k: keyId,
        p: protocolVersion,
        c: capabilitiesDigest(capabilities),
        t: nowMs,
        ...(declaresUrlElicitation(capabilities) ? { u: 1 } : {}),
      }),
      'utf8',
    ).toString('base64url');
    return `${TOKEN_VERSION}.${payload}.${this.sign(payload)}`;
  }

  /** The session `token` describes, when its signature holds, it belongs to `keyId` and has not expired. */
  verify(token: string, keyId: string, nowMs: number): SessionCheck {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== TOKEN_VERSION) return { ok: false, reason: 'malformed session id' };
    const [, payload = '', signature = ''] = parts;
    const expected = Buffer.from(this.sign(payload), 'base64url');
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { ok: false, reason: 'session id signature does not verify' };
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed session id' };
    }
    if (
      !isRecord(decoded) ||
      typeof decoded.k !== 'string' ||
      typeof decoded.p !== 'string' ||
      typeof decoded.c !== 'string' ||
      typeof decoded.t !== 'number'
    )
      return { ok: false, reason: 'malformed session id' };
    if (decoded.k !== keyId) return { ok: false, reason: 'session was issued to another key' };
    if (nowMs - decoded.t > this.maxAgeMs)
      return { ok: false, reason: `session expired (sessions last ${Math.round(this.maxAgeMs / 1000)} s)` };
    return {
      ok: true,
      session: {
        keyId: decoded.k,
        protocolVersion: decoded.p,
        capabilitiesDigest: decoded.c,
        urlElicitation: decoded.u === 1,
        issuedAtMs: decoded.t,
      },
    };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(`${TOKEN_VERSION}.${payload}`).digest('base64url');
  }
}

/** Key order does not change the digest: the same capabilities sent twice sign the same. */
function capabilitiesDigest(capabilities: unknown): string {
  return hash('sha256', canonicalJson(capabilities ?? {}), 'hex');
}

/** Whether client capabilities declare URL-mode elicitation (`{elicitation: {url: {}}}`, MCP 2025-11-25). */
export function declaresUrlElicitation(capabilities: unknown): boolean {
  return isRecord(capabilities) && isRecord(capabilities.elicitation) && isRecord(capabilities.elicitation.url);
}
