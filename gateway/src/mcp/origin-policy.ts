// Which browser origins may call /mcp (--mcp-allowed-origins). The MCP transports require servers
// to validate Origin so that a web page cannot reach a local server through DNS rebinding: a page
// on evil.example re-pointed at 127.0.0.1 sends its own Origin with every POST, which no key
// check would stop if the gateway ever accepted an ambient credential. Requests without an Origin
// header (SDKs, CLIs, agents, other services) are not browsers and are not affected.

/** The default: browser tools on this machine (an MCP inspector on localhost), on any port. */
export const DEFAULT_MCP_ALLOWED_ORIGINS = 'loopback';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export class OriginPolicy {
  private constructor(
    private readonly any: boolean,
    private readonly loopback: boolean,
    private readonly exact: ReadonlySet<string>,
  ) {}

  /**
   * Parses a comma list of origins (`https://console.example.com`), `loopback` (http and https on
   * localhost, 127.0.0.1 and [::1], any port) and `*` (any origin); "" allows none.
   */
  static parse(text: string): OriginPolicy {
    let any = false;
    let loopback = false;
    const exact = new Set<string>();
    for (const raw of text.split(',')) {
      const entry = raw.trim();
      if (entry === '') continue;
      if (entry === '*') any = true;
      else if (entry === 'loopback') loopback = true;
      else {
        const origin = originOf(entry);
        if (origin === undefined || origin !== entry.toLowerCase().replace(/\/$/, ''))
          throw new Error(`"${entry.slice(0, 200)}" is not an origin (scheme://host[:port], no path), loopback or *`);
        exact.add(origin);
      }
    }
    return new OriginPolicy(any, loopback, exact);
  }

  /** Whether a request carrying this Origin header may go on; undefined (no header) always may. */
  allows(header: string | undefined): boolean {
    if (header === undefined || this.any) return true;
    const origin = originOf(header);
    if (origin === undefined) return false;
    if (this.exact.has(origin)) return true;
    if (!this.loopback) return false;
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTS.has(url.hostname);
  }
}

/** The serialized origin of an http(s) URL, lower case; undefined for anything else (including "null"). */
function originOf(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return url.origin.toLowerCase();
}
