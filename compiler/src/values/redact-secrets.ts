// The last line of defence for free-form text (upstream error messages, log lines): callers
// pass names and digests, never key material, and whatever slips through is masked here.
// Shared by the gateway and the operator so both redact exactly the same shapes.

const SECRET_PATTERNS: RegExp[] = [
  /sk-sy-[A-Za-z0-9]{8,}/g, // Switchyard virtual keys
  /sk-(?:proj-|ant-(?:api\d+-)?)?[A-Za-z0-9_-]{16,}/g, // OpenAI / Anthropic keys
  /AIza[0-9A-Za-z_-]{30,}/g, // Google API keys
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, // AWS access key ids
  /(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWTs (ServiceAccount tokens)
  // PEM private keys, raw or JSON-escaped (a Google service-account file's private_key)
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

/** Cheap screen: every pattern above contains one of these, so most text skips the replacements. */
const SECRET_HINT = /sk-|AIza|AKIA|ASIA|bearer|eyJ|PRIVATE KEY/i;

export function redactSecrets(text: string): string {
  if (!SECRET_HINT.test(text)) return text;
  let out = text;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, prefix: unknown) =>
      typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}[REDACTED]` : '[REDACTED]',
    );
  }
  return out;
}
