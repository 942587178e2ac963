// Command line of `kubectl switchyard` (and `switchyard keys|spend|status|try`): flags spelled as
// kubectl spells them, accepted anywhere on the line, and each subcommand's own flags refused
// elsewhere so a typo never silently does nothing.
import { parseArgs } from 'node:util';
import { parseDurationMs } from '@switchyard/compiler';
import { outputFormat, type OutputFormat } from './output.js';
import { PluginError } from './plugin-error.js';

const DEFAULT_TIMEOUT = '30s';
const DEFAULT_PROMPT = 'Say hello in one short sentence.';

export function pluginUsage(program: string): string {
  return `Usage: ${program} <command> [options]

Switchyard from the command line, with your kubeconfig and your RBAC.

Commands:
  keys create NAME     create a VirtualKey, wait for its generated Secret, print the key once
      --models a,b         allowed model globs (default: every model the key can see)
      --rpm N              spec.rateLimit.requestsPerMinute
      --tpm N              spec.rateLimit.tokensPerMinute
      --budget NAME        label the key so Budget NAME (its selector.matchLabels) counts it
      --secret-name NAME   the key Secret's name (default NAME-key)
  keys rotate NAME     delete the operator-generated key Secret, wait for the new one, print it once
  keys list            name, models, limits, key hint and readiness (never the key)
  keys disable NAME    set spec.disabled: requests with the key get 401
  keys enable NAME     clear spec.disabled
  spend                Budget spend: period, start, spent, limit, remaining
      --by budget          the only grouping: spend is recorded per Budget (see docs/cli.md)
  status               operator and gateways (any namespace), table version, Accepted and Programmed N/N,
                       and every condition that is not in its good state, with its message
  try MODEL            one chat completion through the gateway Service (API-server service proxy)
      --key KEY            the virtual key to send (or $SWITCHYARD_API_KEY)
      --key-from-secret S  read the key from Secret S (data.key) in the namespace
      --prompt TEXT        the user message (default "${DEFAULT_PROMPT}")
      --service [NS/]NAME[:PORT]  the gateway Service (default: found by the chart's labels, in -n's
                           namespace, else anywhere in the cluster; port "http")
      --server-url URL     send straight to this gateway URL instead (a port-forward, a local gateway)

Options:
  --kubeconfig PATH      kubeconfig file (default $KUBECONFIG, then ~/.kube/config, then in-cluster)
  --context NAME         kubeconfig context (default its current-context)
  -n, --namespace NS     namespace (default the context's namespace, else "default")
  -A, --all-namespaces   keys list, spend and status across every namespace
  -o, --output FORMAT    table (default), json or yaml
  --timeout DURATION     longest wait for a generated Secret, and for the try request (default ${DEFAULT_TIMEOUT})
  -h, --help             this help
`;
}

const OPTIONS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  'all-namespaces': { type: 'boolean', short: 'A' },
  output: { type: 'string', short: 'o' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  models: { type: 'string' },
  rpm: { type: 'string' },
  tpm: { type: 'string' },
  budget: { type: 'string' },
  'secret-name': { type: 'string' },
  by: { type: 'string' },
  key: { type: 'string' },
  'key-from-secret': { type: 'string' },
  prompt: { type: 'string' },
  service: { type: 'string' },
  'server-url': { type: 'string' },
} as const;

/** Which subcommand-specific flags each command accepts (the global ones are always accepted). */
const COMMAND_FLAGS: Record<string, readonly string[]> = {
  'keys create': ['models', 'rpm', 'tpm', 'budget', 'secret-name'],
  'keys rotate': [],
  'keys list': ['all-namespaces'],
  'keys disable': [],
  'keys enable': [],
  spend: ['by', 'all-namespaces'],
  status: ['all-namespaces'],
  try: ['key', 'key-from-secret', 'prompt', 'service', 'server-url'],
};
const GLOBAL_FLAGS = ['kubeconfig', 'context', 'namespace', 'output', 'timeout', 'help'];

export interface PluginFlags {
  help: boolean;
  /** "keys create", "spend", ... */
  command: string;
  /** The NAME or MODEL argument, where the command takes one. */
  name: string | undefined;
  kubeconfig: string | undefined;
  context: string | undefined;
  namespace: string | undefined;
  allNamespaces: boolean;
  output: OutputFormat;
  timeoutMs: number;
  models: string[] | undefined;
  rpm: number | undefined;
  tpm: number | undefined;
  budget: string | undefined;
  secretName: string | undefined;
  by: string;
  key: string | undefined;
  keyFromSecret: string | undefined;
  prompt: string;
  service: string | undefined;
  serverUrl: string | undefined;
}

const TAKES_NAME = new Set(['keys create', 'keys rotate', 'keys disable', 'keys enable', 'try']);

export function parsePluginFlags(args: string[]): PluginFlags {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; strict: true; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true });
  } catch (error) {
    throw new PluginError(error instanceof Error ? error.message : String(error), 2);
  }
  const v = parsed.values;
  const positionals = [...parsed.positionals];
  const help = v.help === true;
  const group = positionals.shift();
  let command = group ?? '';
  if (group === 'keys') command = `keys ${positionals.shift() ?? ''}`.trimEnd();
  if (help && (group === undefined || COMMAND_FLAGS[command] === undefined)) return { ...defaults(), help, command };
  if (group === undefined) throw new PluginError('name a command', 2);
  if (COMMAND_FLAGS[command] === undefined)
    throw new PluginError(
      group === 'keys' ? `"${command}": keys takes create, rotate, list, disable or enable` : `unknown command "${command}"`,
      2,
    );
  const name = TAKES_NAME.has(command) ? positionals.shift() : undefined;
  if (TAKES_NAME.has(command) && name === undefined && !help)
    throw new PluginError(`${command} needs ${command === 'try' ? 'a MODEL' : 'a NAME'}`, 2);
  if (positionals.length > 0) throw new PluginError(`unexpected argument "${positionals[0]}" for ${command}`, 2);
  const allowed = new Set([...GLOBAL_FLAGS, ...(COMMAND_FLAGS[command] ?? [])]);
  const stray = Object.keys(v).filter((flag) => !allowed.has(flag));
  if (stray.length > 0) throw new PluginError(`${stray.map((flag) => `--${flag}`).join(', ')} does not apply to ${command}`, 2);
  if (v['all-namespaces'] === true && v.namespace !== undefined)
    throw new PluginError('-A/--all-namespaces and -n/--namespace exclude each other', 2);
  if (v.key !== undefined && v['key-from-secret'] !== undefined) throw new PluginError('--key and --key-from-secret exclude each other', 2);
  if (v.service !== undefined && v['server-url'] !== undefined) throw new PluginError('--service and --server-url exclude each other', 2);
  const by = v.by ?? 'budget';
  if (!['key', 'route', 'budget'].includes(by)) throw new PluginError(`--by must be key, route or budget; got "${by}"`, 2);
  return {
    help,
    command,
    name,
    kubeconfig: v.kubeconfig,
    context: v.context,
    namespace: v.namespace,
    allNamespaces: v['all-namespaces'] === true,
    output: outputFormat(v.output),
    timeoutMs: timeoutFlag(v.timeout),
    models: v.models === undefined ? undefined : listFlag('models', v.models),
    rpm: countFlag('rpm', v.rpm),
    tpm: countFlag('tpm', v.tpm),
    budget: v.budget,
    secretName: v['secret-name'],
    by,
    key: v.key,
    keyFromSecret: v['key-from-secret'],
    prompt: v.prompt ?? DEFAULT_PROMPT,
    service: v.service,
    serverUrl: v['server-url'] === undefined ? undefined : urlFlag(v['server-url']),
  };
}

function defaults(): PluginFlags {
  return {
    help: false,
    command: '',
    name: undefined,
    kubeconfig: undefined,
    context: undefined,
    namespace: undefined,
    allNamespaces: false,
    output: 'table',
    timeoutMs: parseDurationMs(DEFAULT_TIMEOUT),
    models: undefined,
    rpm: undefined,
    tpm: undefined,
    budget: undefined,
    secretName: undefined,
    by: 'budget',
    key: undefined,
    keyFromSecret: undefined,
    prompt: DEFAULT_PROMPT,
    service: undefined,
    serverUrl: undefined,
  };
}

function timeoutFlag(text: string | undefined): number {
  try {
    const ms = parseDurationMs(text ?? DEFAULT_TIMEOUT);
    if (ms <= 0) throw new Error('must be positive');
    return ms;
  } catch (error) {
    throw new PluginError(`--timeout: ${error instanceof Error ? error.message : String(error)}`, 2);
  }
}

function listFlag(name: string, text: string): string[] {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new PluginError(`--${name} needs at least one value (omit it to allow every model)`, 2);
  return items;
}

function countFlag(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new PluginError(`--${name} must be a positive whole number; got "${text}"`, 2);
  return Number(text);
}

function urlFlag(text: string): string {
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http or https');
    return text.replace(/\/+$/, '');
  } catch {
    throw new PluginError(`--server-url must be an http:// or https:// URL; got "${text}"`, 2);
  }
}
