// --mcp-allowed-origins: which Origin headers may reach /mcp (DNS-rebinding protection).
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_MCP_ALLOWED_ORIGINS, OriginPolicy } from '../../src/mcp/origin-policy.js';
import { parseGatewayFlags } from '../../src/cli/gateway-flags.js';

const cases: Array<{ policy: string; origin: string | undefined; allowed: boolean }> = [
  { policy: DEFAULT_MCP_ALLOWED_ORIGINS, origin: undefined, allowed: true },
  { policy: DEFAULT_MCP_ALLOWED_ORIGINS, origin: 'http://localhost:6274', allowed: true },
  { policy: DEFAULT_MCP_ALLOWED_ORIGINS, origin: 'http://127.0.0.1', allowed: true },
  { policy: DEFAULT_MCP_ALLOWED_ORIGINS, origin: 'https://[::1]:8443', allowed: true },
  { policy: DEFAULT_MCP_ALLOWED_ORIGINS, origin: 'http://evil.example.com', allowed: false },
  { policy: DEFAULT_MCP_ALLOWED_ORIGINS, origin: 'http://localhost.evil.example.com', allowed: false },
  { policy: DEFAULT_MCP_ALLOWED_ORIGINS, origin: 'null', allowed: false },
  { policy: DEFAULT_MCP_ALLOWED_ORIGINS, origin: 'file://', allowed: false },
  { policy: 'https://console.example.com', origin: 'https://console.example.com', allowed: true },
  { policy: 'https://console.example.com', origin: 'HTTPS://Console.Example.com', allowed: true },
  { policy: 'https://console.example.com', origin: 'https://console.example.com:8443', allowed: false },
  { policy: 'https://console.example.com', origin: 'http://localhost:6274', allowed: false },
  { policy: 'https://console.example.com,loopback', origin: 'http://localhost:6274', allowed: true },
  { policy: '*', origin: 'http://evil.example.com', allowed: true },
  { policy: '', origin: 'http://localhost', allowed: false },
  { policy: '', origin: undefined, allowed: true },
];

describe('--mcp-allowed-origins', () => {
  it.each(cases)('$policy allows $origin: $allowed', ({ policy, origin, allowed }) => {
    expect(OriginPolicy.parse(policy).allows(origin)).toBe(allowed);
  });

  it.each(['https://console.example.com/path', 'console.example.com', 'ftp://files.example.com'])(
    'refuses %s with a message naming it',
    (entry) => {
      expect(() => parseGatewayFlags(['--mcp-allowed-origins', entry], {})).toThrow(
        `--mcp-allowed-origins: "${entry}" is not an origin (scheme://host[:port], no path), loopback or *`,
      );
    },
  );
});
