// The per-user OAuth flags: the callback URL must be the gateway's https (or loopback http)
// /mcp/oauth/callback, `--help` documents them with their defaults, and a token key shorter
// than 32 bytes stops the gateway at start, naming the flag.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GATEWAY_USAGE, parseGatewayFlags } from '../../src/cli/gateway-flags.js';
import { GatewayStartError, startGateway } from '../support/gateway-process.js';

describe('per-user OAuth flags', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-oauth-flags-'));
  });
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('accepts the public callback URL and refuses any other shape', () => {
    const flags = parseGatewayFlags(['--mcp-oauth-callback-url', 'https://llm.example.com/mcp/oauth/callback'], {});
    expect(flags.mcpOAuthCallbackUrl?.toString()).toBe('https://llm.example.com/mcp/oauth/callback');
    expect(
      parseGatewayFlags([], { SWITCHYARD_MCP_OAUTH_CALLBACK_URL: 'http://localhost:8080/mcp/oauth/callback' }).mcpOAuthCallbackUrl?.host,
    ).toBe('localhost:8080');
    expect(parseGatewayFlags([], {}).mcpOAuthCallbackUrl).toBeUndefined();
    expect(parseGatewayFlags([], {}).mcpOAuthMaxTokens).toBe(10_000);
    for (const bad of [
      'http://llm.example.com/mcp/oauth/callback',
      'https://llm.example.com/callback',
      'https://llm.example.com/mcp/oauth/callback?x=1',
      'callback',
    ])
      expect(() => parseGatewayFlags(['--mcp-oauth-callback-url', bad], {})).toThrow('--mcp-oauth-callback-url');
    expect(() => parseGatewayFlags(['--mcp-oauth-max-tokens', '0'], {})).toThrow('--mcp-oauth-max-tokens');
  });

  it('documents the flags and their defaults in --help', () => {
    expect(GATEWAY_USAGE).toContain('--mcp-oauth-callback-url <url>');
    expect(GATEWAY_USAGE).toContain('--mcp-oauth-key-file <path>');
    expect(GATEWAY_USAGE).toContain('--mcp-oauth-max-tokens <n>   per-user token pairs kept in memory without Redis (default 10000');
    expect(GATEWAY_USAGE).toContain('sign-in links last 10 minutes');
  });

  it('refuses to start with a token key shorter than 32 bytes', async () => {
    const keyFile = join(dir, 'short');
    await writeFile(keyFile, 'only-twenty-bytes-xx\n');
    const error = await startGateway({
      manifests: { 'empty.yaml': '' },
      args: ['--mcp-oauth-callback-url', 'http://127.0.0.1:1/mcp/oauth/callback', '--mcp-oauth-key-file', keyFile],
    }).then(
      async (gateway) => {
        await gateway.stop();
        return undefined;
      },
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(GatewayStartError);
    expect((error as GatewayStartError).output).toContain('at least 32 bytes (--mcp-oauth-key-file)');
    expect((error as GatewayStartError).exitCode).toBe(1);
  });
});
