// The deployment the front-door hosted-tool tests share: a loopback OpenAI-format model (route
// `assistant`) and a loopback Anthropic-format one (route `claude`), an
// official MCP SDK server with four tools, a standalone gateway whose route has no spec.mcp (the
// caller names the servers in its own request), an MCPServer in another namespace the key never
// sees, a key allowed three of the four tools, the same with 2 requests per minute, and a key
// without spec.mcp.
import { API_VERSION, documents, openAIBackend, secretObject, testKey } from '../core/core-fixtures.js';
import { ANTHROPIC_MOCK_API_KEY, startAnthropicMockServer, type AnthropicMockServer } from '../mocks/anthropic-mock-server.js';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { echoTool, failingTool, startSdkUpstream, type RunningUpstream, type UpstreamTool } from './mcp-upstreams.js';

export const USAGE = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };

export const toolCall = (id: string, name: string, args: Record<string, unknown>) => ({ id, name, arguments: JSON.stringify(args) });

/** A tool the server annotates read-only (for `allowed_tools: {read_only: true}`). */
function readOnlyTool(name: string): UpstreamTool {
  const tool = echoTool(name);
  return { ...tool, definition: { ...tool.definition, annotations: { readOnlyHint: true } } };
}

export interface HostedToolsDeployment {
  readonly model: OpenAIMockServer;
  /** The model behind route `claude`, speaking Anthropic Messages. */
  readonly claude: AnthropicMockServer;
  readonly tools: RunningUpstream;
  readonly gateway: GatewayProcess;
  /** allowedTools: tools__echo, tools__broken, tools__lookup (not tools__secret). */
  readonly agentKey: string;
  /** No spec.mcp. */
  readonly plainKey: string;
  /** As agentKey, with spec.rateLimit.requestsPerMinute 2. */
  readonly limitedKey: string;
  stop(): Promise<void>;
}

function key(name: string, plaintext: string, mcp?: Record<string, unknown>, rateLimit?: Record<string, unknown>): unknown[] {
  return [
    secretObject(`${name}-key`, { key: plaintext }),
    {
      apiVersion: API_VERSION,
      kind: 'VirtualKey',
      metadata: { name, namespace: 'default' },
      spec: { secretName: `${name}-key`, ...(mcp === undefined ? {} : { mcp }), ...(rateLimit === undefined ? {} : { rateLimit }) },
    },
  ];
}

export async function startHostedToolsDeployment(label: string): Promise<HostedToolsDeployment> {
  const model = await startOpenAIMockServer();
  const claude = await startAnthropicMockServer();
  const tools = await startSdkUpstream([echoTool('echo'), failingTool('broken'), readOnlyTool('lookup'), echoTool('secret')], {
    stateful: false,
  });
  const agentKey = testKey(`${label}agent`);
  const plainKey = testKey(`${label}plain`);
  const limitedKey = testKey(`${label}limited`);
  const allowedTools = ['tools__echo', 'tools__broken', 'tools__lookup'];
  const gateway = await startGateway({
    manifests: {
      'all.yaml': documents(
        secretObject('openai', { apiKey: OPENAI_MOCK_API_KEY }),
        secretObject('anthropic', { apiKey: ANTHROPIC_MOCK_API_KEY }),
        { apiVersion: API_VERSION, kind: 'MCPServer', metadata: { name: 'tools', namespace: 'default' }, spec: { url: tools.url } },
        { apiVersion: API_VERSION, kind: 'MCPServer', metadata: { name: 'elsewhere', namespace: 'other' }, spec: { url: tools.url } },
        // Nothing listens on the discard port: a server that cannot list its tools.
        {
          apiVersion: API_VERSION,
          kind: 'MCPServer',
          metadata: { name: 'down', namespace: 'default' },
          spec: { url: 'http://127.0.0.1:9/mcp', timeouts: { connect: '1s', call: '2s' } },
        },
        {
          apiVersion: API_VERSION,
          kind: 'ModelRoute',
          metadata: { name: 'assistant', namespace: 'default' },
          spec: { model: 'assistant', backends: [openAIBackend('main', model.url)], retry: { attempts: 1 } },
        },
        {
          apiVersion: API_VERSION,
          kind: 'ModelRoute',
          metadata: { name: 'claude', namespace: 'default' },
          spec: {
            model: 'claude',
            backends: [
              {
                name: 'claude-main',
                provider: 'anthropic',
                model: 'claude-sonnet-4-5',
                baseURL: claude.url,
                credentials: [{ secretRef: { name: 'anthropic', key: 'apiKey' } }],
              },
            ],
            retry: { attempts: 1 },
          },
        },
        ...key('agent', agentKey, { allowedTools }),
        ...key('limited', limitedKey, { allowedTools }, { requestsPerMinute: 2 }),
        ...key('plain', plainKey),
      ),
    },
  });
  return {
    model,
    claude,
    tools,
    gateway,
    agentKey,
    plainKey,
    limitedKey,
    async stop() {
      await gateway.stop();
      await tools.close();
      await model.close();
      await claude.close();
    },
  };
}

/** The function tool names the model was offered in the `n`th model request. */
export function offeredTools(model: OpenAIMockServer, n: number): string[] {
  return ((model.chatRequests[n]?.tools ?? []) as Array<{ function: { name: string } }>).map((tool) => tool.function.name);
}
