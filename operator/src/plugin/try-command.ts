// `try MODEL`: one OpenAI chat completion through the gateway Service, by the API server's service
// proxy (so it works from anywhere kubectl does, with no port-forward), or straight to a gateway
// URL with --server-url. The key travels in x-api-key: the API server consumes the Authorization
// header (it carries the caller's own Kubernetes credentials) and does not pass it on.
import type { IncomingHttpHeaders } from 'node:http';
import type { KubeContext } from './kube-context.js';
import { renderData, renderTable, type CommandOutput } from './output.js';
import { CORE_SECRETS, getObject, listAnywhere, listObjects, PART_OF_SELECTOR, SERVICES } from './plugin-kube.js';
import type { PluginFlags } from './plugin-flags.js';
import { describeApiFailure, PluginError } from './plugin-error.js';
import type { KubeObject } from '../kube/resources.js';

/** The chart's public gateway Service; its metrics Service carries switchyard.dev/service. */
const GATEWAY_SERVICE_SELECTOR = `${PART_OF_SELECTOR},app.kubernetes.io/component=gateway,!switchyard.dev/service`;
const SERVICE_PORT_NAME = 'http';
const CHAT_PATH = '/v1/chat/completions';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders | Headers;
  body: string;
}

export async function runTry(ctx: KubeContext | undefined, flags: PluginFlags, out: CommandOutput): Promise<void> {
  const model = flags.name ?? '';
  const key = await resolveKey(ctx, flags);
  const body = { model, messages: [{ role: 'user', content: flags.prompt }] };
  const started = performance.now();
  let answer: Answer;
  let via: string;
  if (flags.serverUrl !== undefined) {
    via = flags.serverUrl;
    answer = await direct(flags.serverUrl, key, body, flags.timeoutMs);
  } else {
    if (ctx === undefined) throw new PluginError('no kubeconfig to reach the gateway Service with; pass --server-url');
    const { namespace, name, port } = flags.service === undefined ? await discoverService(ctx) : serviceFlag(flags.service, ctx.namespace);
    via = `service ${namespace}/${name}:${port} (API-server proxy)`;
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(name)}:${encodeURIComponent(port)}/proxy${CHAT_PATH}`;
    try {
      answer = await ctx.client.exchange('POST', path, {
        body,
        timeoutMs: flags.timeoutMs,
        headers: { 'x-api-key': key },
      });
    } catch (error) {
      throw describeApiFailure(error, `POST ${CHAT_PATH} via ${via}`, ctx.server);
    }
  }
  const latencyMs = Math.round(performance.now() - started);
  const parsed = parseJson(answer.body);
  if (answer.status < 200 || answer.status >= 300) throw new PluginError(failureMessage(answer.status, parsed, via));
  const completion = parsed as {
    model?: string;
    choices?: Array<{ message?: { content?: string | null }; finish_reason?: string }>;
    usage?: { prompt_tokens?: number; completion_tokens?: number };
  };
  const header = (name: string): string | null => {
    const value = answer.headers instanceof Headers ? answer.headers.get(name) : answer.headers[name];
    return (Array.isArray(value) ? value[0] : value) ?? null;
  };
  const attempts = header('x-switchyard-attempts');
  const view = {
    model,
    via,
    answer: completion.choices?.[0]?.message?.content ?? '',
    finishReason: completion.choices?.[0]?.finish_reason ?? null,
    servedModel: completion.model ?? null,
    backend: header('x-switchyard-backend'),
    attempts: attempts === null ? null : Number(attempts),
    latencyMs,
    costUsd: header('x-switchyard-cost-usd'),
    cache: header('x-switchyard-cache'),
    usage: { inputTokens: completion.usage?.prompt_tokens ?? null, outputTokens: completion.usage?.completion_tokens ?? null },
  };
  if (flags.output !== 'table') return out.write(renderData(flags.output, view));
  out.write(`${view.answer.trimEnd()}\n\n`);
  out.write(
    renderTable(
      ['backend', 'attempts', 'latency', 'cost', 'tokens in/out', 'via'],
      [
        [
          view.backend ?? '-',
          view.attempts === null ? '-' : String(view.attempts),
          `${latencyMs}ms`,
          view.costUsd === null ? '-' : `$${view.costUsd}`,
          `${view.usage.inputTokens ?? '-'}/${view.usage.outputTokens ?? '-'}`,
          via,
        ],
      ],
    ),
  );
}

async function resolveKey(ctx: KubeContext | undefined, flags: PluginFlags): Promise<string> {
  if (flags.key !== undefined) return flags.key;
  if (flags.keyFromSecret !== undefined) {
    if (ctx === undefined) throw new PluginError('--key-from-secret needs a kubeconfig');
    const secret = await getObject<KubeObject & { data?: Record<string, string> }>(ctx, CORE_SECRETS, ctx.namespace, flags.keyFromSecret);
    const encoded = secret.data?.key;
    if (encoded === undefined) throw new PluginError(`Secret ${ctx.namespace}/${flags.keyFromSecret} has no data.key`);
    return Buffer.from(encoded, 'base64').toString('utf8');
  }
  const fromEnv = process.env.SWITCHYARD_API_KEY;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  throw new PluginError('try needs a key: pass --key, --key-from-secret NAME, or set $SWITCHYARD_API_KEY', 2);
}

interface ServiceRef {
  namespace: string;
  name: string;
  port: string;
}

/** `--service [NAMESPACE/]NAME[:PORT]`; the namespace defaults to -n's, the port to "http". */
function serviceFlag(text: string, namespace: string): ServiceRef {
  const match = /^(?:([a-z0-9-]+)\/)?([a-z0-9-]+)(?::([a-z0-9-]+))?$/.exec(text);
  if (match === null) throw new PluginError(`--service must be [NAMESPACE/]NAME[:PORT]; got "${text}"`, 2);
  return { namespace: match[1] ?? namespace, name: match[2] ?? '', port: match[3] ?? SERVICE_PORT_NAME };
}

/**
 * The chart's gateway Service: in -n's namespace, else the one in the cluster (the gateways
 * usually run in a namespace of their own, apart from the keys).
 */
async function discoverService(ctx: KubeContext): Promise<ServiceRef> {
  let services = await listObjects<KubeObject>(ctx, SERVICES, ctx.namespace, GATEWAY_SERVICE_SELECTOR);
  if (services.length === 0) services = await listAnywhere<KubeObject>(ctx, SERVICES, ctx.namespace, GATEWAY_SERVICE_SELECTOR);
  const names = services.map((s) => `${s.metadata.namespace ?? ''}/${s.metadata.name}`);
  if (services.length === 0)
    throw new PluginError(
      'no gateway Service found (labels app.kubernetes.io/part-of=switchyard, app.kubernetes.io/component=gateway); pass --service [NAMESPACE/]NAME',
    );
  if (services.length > 1) throw new PluginError(`several gateway Services (${names.join(', ')}); pass --service NAMESPACE/NAME`);
  const service = services[0] as KubeObject;
  return { namespace: service.metadata.namespace ?? ctx.namespace, name: service.metadata.name, port: SERVICE_PORT_NAME };
}

async function direct(baseUrl: string, key: string, body: unknown, timeoutMs: number): Promise<Answer> {
  try {
    const res = await fetch(`${baseUrl}${CHAT_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, headers: res.headers, body: await res.text() };
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    if ((error as Error).name === 'TimeoutError')
      throw new PluginError(`no answer from ${baseUrl} within ${timeoutMs / 1000}s (--timeout)`);
    throw new PluginError(`cannot reach ${baseUrl}: ${cause ?? (error instanceof Error ? error.message : String(error))}`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The gateway's error (OpenAI shape) or the API server's Status (RBAC, no endpoints), as one line. */
function failureMessage(status: number, body: unknown, via: string): string {
  const object = (body ?? {}) as { kind?: string; message?: string; error?: { message?: string; code?: string } };
  if (object.kind === 'Status') {
    const prefix = status === 403 ? 'forbidden' : `the API server answered ${status}`;
    return `${prefix} (${via}): ${object.message ?? ''}`.trimEnd();
  }
  const code = object.error?.code === undefined ? '' : ` ${object.error.code}`;
  return `the gateway answered ${status}${code} (${via}): ${object.error?.message ?? object.message ?? 'no error message'}`;
}
