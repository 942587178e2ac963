// Guardrails on MCP tool calls through the gateway's `POST /mcp`, driven by the official MCP SDK
// client against the gateway process (standalone) and a real SDK upstream: the key's policies
// (selected by VirtualKey labels) check tool arguments before they go upstream (block: a
// JSON-RPC error naming policy and check, nothing sent; redact: the upstream sees placeholders)
// and tool results before they come back (block, and restore of the caller's own values), with
// the decision in the request's log line, the metric and the tool call's span.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { API_VERSION, documents, testKey } from '../core/core-fixtures.js';
import { echoTool, startSdkUpstream, type RunningUpstream } from '../mcp/mcp-upstreams.js';
import { startOtlpCollector, type OtlpCollector } from '../mocks/otlp-collector.js';
import { eventually } from '../support/eventually.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { policyObject, requestLines } from './guardrail-fixtures.js';

const payKey = testKey('grmcppay');
const webKey = testKey('grmcpweb');
const CARD = '4111 1111 1111 1111';

function key(name: string, plaintext: string, labels: Record<string, string>): unknown[] {
  return [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-key`, namespace: 'default' }, stringData: { key: plaintext } },
    {
      apiVersion: API_VERSION,
      kind: 'VirtualKey',
      metadata: { name, namespace: 'default', labels },
      spec: { secretName: `${name}-key`, mcp: { allowedTools: ['*'] } },
    },
  ];
}

async function connect(gateway: GatewayProcess, plaintext: string): Promise<Client> {
  const client = new Client({ name: 'guardrail-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${plaintext}` } },
    }),
  );
  return client;
}

function texts(result: Awaited<ReturnType<Client['callTool']>>): string[] {
  return (result.content as Array<{ type: string; text?: string }>).map((part) => part.text ?? '');
}

describe('guardrails on MCP tool calls', () => {
  let upstream: RunningUpstream;
  let collector: OtlpCollector;
  let gateway: GatewayProcess;
  let pay: Client;
  let web: Client;

  beforeAll(async () => {
    upstream = await startSdkUpstream([echoTool('echo')], { stateful: false });
    collector = await startOtlpCollector();
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          { apiVersion: API_VERSION, kind: 'MCPServer', metadata: { name: 'main', namespace: 'default' }, spec: { url: upstream.url } },
          ...key('pay', payKey, { team: 'payments' }),
          ...key('web', webKey, { team: 'web' }),
          policyObject('pii', { team: 'payments' }, [
            { name: 'cards', type: 'pii', entities: ['credit_card'], on: 'input', action: 'block' },
            { name: 'emails', type: 'pii', entities: ['email'], on: 'input', action: 'redact', restore: true },
            { name: 'corp', type: 'regex', pattern: 'ACME-[0-9]{6}', on: 'input', action: 'redact' },
            { name: 'words', type: 'denylist', phrases: ['project falcon'], on: 'output', action: 'block' },
          ]),
        ),
      },
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '50' },
    });
    pay = await connect(gateway, payKey);
    web = await connect(gateway, webKey);
  });
  afterAll(async () => {
    await pay?.close();
    await web?.close();
    await gateway?.stop();
    await upstream?.close();
    await collector?.close();
  });

  it('refuses arguments that match a block check with a JSON-RPC error naming policy and check; nothing goes upstream', async () => {
    const before = upstream.calls.length;
    const error = await pay.callTool({ name: 'main__echo', arguments: { text: `charge ${CARD}` } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    const mcpError = error as McpError;
    expect(mcpError.code).toBe(-32040);
    expect(mcpError.message).toContain('guardrail_blocked: the request was blocked by GuardrailPolicy default/pii, check cards');
    expect(mcpError.message).not.toContain('4111');
    expect(mcpError.data).toEqual({ code: 'guardrail_blocked' });
    expect(upstream.calls.length).toBe(before);
  });

  it('redacts arguments before they go upstream and restores the caller’s own values in the result', async () => {
    const result = await pay.callTool({ name: 'main__echo', arguments: { text: 'mail ann@example.com about ACME-123456' } });
    expect(upstream.calls.at(-1)).toEqual({ name: 'echo', arguments: { text: 'mail [EMAIL_1] about [CORP_1]' } });
    expect(texts(result)).toEqual(['mail ann@example.com about [CORP_1]']);
    expect(result.structuredContent).toEqual({ echoed: 'mail ann@example.com about [CORP_1]', tool: 'echo' });
  });

  it('refuses a result that matches an output block check', async () => {
    const error = await pay.callTool({ name: 'main__echo', arguments: { text: 'all about Project Falcon' } }).catch((e: unknown) => e);
    expect((error as McpError).code).toBe(-32040);
    expect((error as McpError).message).toContain('the answer was blocked by GuardrailPolicy default/pii, check words');
    expect((error as McpError).message.toLowerCase()).not.toContain('falcon');
    // The call did run upstream: it is the result that was refused.
    expect(upstream.calls.at(-1)?.arguments).toEqual({ text: 'all about Project Falcon' });
  });

  it('leaves the tool calls of keys the policy does not select alone', async () => {
    const result = await web.callTool({ name: 'main__echo', arguments: { text: `card ${CARD}, project falcon` } });
    expect(texts(result)).toEqual([`card ${CARD}, project falcon`]);
  });

  it('records each decision in the log line, the metric and the tool call’s span, never the text', async () => {
    await eventually(async () => requestLines(gateway).filter((l) => l.model === 'mcp:tools/call').length >= 4);
    const lines = requestLines(gateway).filter((l) => l.model === 'mcp:tools/call' && l.key === 'default/pay');
    expect(lines.map((l) => l.guardrails)).toEqual([
      [{ policy: 'default/pii', check: 'cards', action: 'block', on: 'input' }],
      [
        { policy: 'default/pii', check: 'emails', action: 'redact', on: 'input' },
        { policy: 'default/pii', check: 'corp', action: 'redact', on: 'input' },
      ],
      [{ policy: 'default/pii', check: 'words', action: 'block', on: 'output' }],
    ]);
    const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /switchyard_guardrail_decisions_total\{policy="default\/pii",check="cards",action="block",direction="input"\} 1/,
    );
    expect(metrics).toMatch(/switchyard_mcp_tool_calls_total\{[^}]*status="guardrail_blocked"[^}]*\} 2/);
    const spans = await collector.waitForSpans((all) => all.filter((s) => s.name === 'tools/call main__echo').length >= 4);
    const blocked = spans.find(
      (s) => s.name === 'tools/call main__echo' && s.events.some((e) => e.attributes['switchyard.guardrail.check'] === 'cards'),
    );
    expect(blocked?.attributes['switchyard.mcp.status']).toBe('guardrail_blocked');
    expect(blocked?.attributes['switchyard.guardrail.action']).toBe('block');
    const exported = collector.requests.map((r) => r.body.toString('utf8')).join('\n');
    // The card's groups with their spaces: a bare '4111' also turns up inside nanosecond timestamps.
    expect(exported).not.toContain(CARD.slice(0, 9));
    expect(gateway.logs()).not.toContain(CARD.slice(0, 9));
    expect(gateway.logs()).not.toContain('ann@example.com');
  });
});
