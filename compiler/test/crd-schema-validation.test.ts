// Standalone mode must reject what the API server rejects, in words a person can act on. The
// expected messages of the CEL cases are the CRDs' own messages (the TypeScript twins reuse them).

import { beforeAll, describe, expect, it } from '@jest/globals';
import { loadCrdSchemas, type CrdSchemas } from '../src/index.js';
import { budget, crdDir, openaiBackend, route, virtualKey } from './support/manifests.js';

let schemas: CrdSchemas;
beforeAll(() => {
  schemas = loadCrdSchemas(crdDir);
});

type Patch = Record<string, unknown>;

const withSpec = (object: { spec: object }, patch: Patch): unknown => ({ ...object, spec: { ...object.spec, ...patch } });
const routeWith = (patch: Patch): unknown => withSpec(route({ name: 'gpt-4o' }), patch);
const backendWith = (patch: Patch, extra: Patch = {}): unknown => routeWith({ backends: [{ ...openaiBackend(), ...patch }], ...extra });

const cases: { name: string; object: unknown; field: string; message: string }[] = [
  {
    name: 'unknown field in a backend',
    object: backendWith({ wieght: 2 }),
    field: 'spec.backends[0].wieght',
    message: 'unknown field (did you mean "weight"?)',
  },
  { name: 'unknown field in spec', object: routeWith({ retries: 3 }), field: 'spec.retries', message: 'unknown field' },
  {
    name: 'bare YAML 1.1 on key',
    object: routeWith({ retry: { true: ['Timeout'] } }),
    field: 'spec.retry.true',
    message: 'unknown field (YAML 1.1, which kubectl uses, reads an unquoted on/off/yes/no key as a boolean: quote it, e.g. "on":)',
  },
  {
    name: 'unknown metadata field',
    object: { ...(route({ name: 'x' }) as object), metadata: { name: 'x', nmae: 'y' } },
    field: 'metadata.nmae',
    message: 'unknown field (did you mean "name"?)',
  },
  {
    name: 'model name with a colon',
    object: routeWith({ model: 'gemini:pro' }),
    field: 'spec.model',
    message: "must be a model name: a letter or digit, then at most 127 letters, digits, '.', '_', '/' or '-' (no ':')",
  },
  {
    name: 'alias starting with a dash',
    object: routeWith({ aliases: ['-x'] }),
    field: 'spec.aliases[0]',
    message: "must be a model name: a letter or digit, then at most 127 letters, digits, '.', '_', '/' or '-' (no ':')",
  },
  {
    name: 'money with a float exponent',
    object: backendWith({ pricing: { inputPerMillion: '2.5', outputPerMillion: '1e3' } }),
    field: 'spec.backends[0].pricing.outputPerMillion',
    message: 'must be a decimal string of USD such as "2.50" (at most 9 decimals)',
  },
  {
    name: 'money with ten decimals',
    object: withSpec(budget({ name: 'b' }), { limit: '1.0000000001' }),
    field: 'spec.limit',
    message: 'must be a decimal string of USD such as "2.50" (at most 9 decimals)',
  },
  {
    name: 'money as a number',
    object: withSpec(budget({ name: 'b' }), { limit: 500 }),
    field: 'spec.limit',
    message: 'must be a string (quote it: "500")',
  },
  {
    name: 'duration with a space',
    object: routeWith({ timeouts: { total: '5 s' } }),
    field: 'spec.timeouts.total',
    message: 'must be a duration: a number and a unit (ms, s, m, h), such as "250ms", "30s" or "1h30m"',
  },
  {
    name: 'duration without unit',
    object: routeWith({ outlierDetection: { ejectionTime: '30' } }),
    field: 'spec.outlierDetection.ejectionTime',
    message: 'must be a duration: a number and a unit (ms, s, m, h), such as "250ms", "30s" or "1h30m"',
  },
  {
    name: 'zero timeout',
    object: routeWith({ timeouts: { connect: '0s' } }),
    field: 'spec.timeouts.connect',
    message: 'must be greater than 0',
  },
  {
    name: 'backoff max below initial',
    object: routeWith({ retry: { backoff: { initial: '5s', max: '1s' } } }),
    field: 'spec.retry.backoff',
    message: 'backoff.max must be >= backoff.initial',
  },
  {
    name: 'duplicate backend names',
    object: routeWith({ backends: [openaiBackend(), openaiBackend()] }),
    field: 'spec',
    message: 'backend names must be unique within the route',
  },
  {
    name: 'negative backend weight',
    object: routeWith({ backends: [openaiBackend(), openaiBackend({ name: 'b', weight: -1 })] }),
    field: 'spec.backends[1].weight',
    message: 'must be >= 0',
  },
  { name: 'all weights zero', object: backendWith({ weight: 0 }), field: 'spec', message: 'at least one backend must have weight > 0' },
  {
    name: 'all credential weights zero',
    object: backendWith({ credentials: [{ secretRef: { name: 'openai', key: 'apiKey' }, weight: 0 }] }),
    field: 'spec.backends[0].credentials',
    message: 'at least one credential must have weight > 0',
  },
  { name: 'no backends', object: routeWith({ backends: [] }), field: 'spec.backends', message: 'must not have fewer than 1 items' },
  { name: 'alias repeats model', object: routeWith({ aliases: ['gpt-4o'] }), field: 'spec', message: 'aliases must not repeat spec.model' },
  { name: 'duplicate alias', object: routeWith({ aliases: ['a', 'a'] }), field: 'spec.aliases[1]', message: 'duplicate value "a"' },
  {
    name: 'fallback to itself',
    object: routeWith({ aliases: ['gpt-4o-latest'], fallbackModels: ['gpt-4o-latest'] }),
    field: 'spec',
    message: "fallbackModels must not name this route's own model or aliases",
  },
  {
    name: 'unknown provider',
    object: backendWith({ provider: 'openia' }),
    field: 'spec.backends[0].provider',
    message:
      'must be one of: openai, azure-openai, anthropic, gemini, vertex-ai, bedrock, mistral, groq, deepseek, xai, together, fireworks, openrouter, cohere, ollama, vllm, openai-compatible, mock',
  },
  {
    name: 'azure-openai without azure block',
    object: backendWith({ provider: 'azure-openai', baseURL: 'https://x.openai.azure.com/openai' }),
    field: 'spec.backends[0]',
    message: 'azure (deployment, apiVersion) is required for provider azure-openai',
  },
  {
    name: 'azure-openai without baseURL',
    object: backendWith({ provider: 'azure-openai', azure: { deployment: 'gpt4o' } }),
    field: 'spec.backends[0]',
    message: 'baseURL is required for providers openai-compatible and azure-openai',
  },
  {
    name: 'openai-compatible without baseURL',
    object: backendWith({ provider: 'openai-compatible' }),
    field: 'spec.backends[0]',
    message: 'baseURL is required for providers openai-compatible and azure-openai',
  },
  {
    name: 'azure block on openai',
    object: backendWith({ azure: { deployment: 'd' } }),
    field: 'spec.backends[0]',
    message: 'azure is only valid with provider azure-openai',
  },
  {
    name: 'bedrock credential with a key',
    object: backendWith({ provider: 'bedrock', bedrock: { region: 'us-east-1' } }),
    field: 'spec.backends[0]',
    message: 'bedrock credentials name a Secret holding accessKeyId and secretAccessKey (optionally sessionToken); omit secretRef.key',
  },
  {
    name: 'bedrock credential from a file',
    object: backendWith({ provider: 'bedrock', bedrock: { region: 'us-east-1' }, credentials: [{ file: { path: '/vault/aws' } }] }),
    field: 'spec.backends[0]',
    message: 'bedrock credentials come from Secrets (accessKeyId and secretAccessKey); file credentials are not supported for bedrock',
  },
  {
    name: 'credential with both a Secret and a file',
    object: backendWith({ credentials: [{ secretRef: { name: 'openai', key: 'apiKey' }, file: { path: '/vault/openai/key' } }] }),
    field: 'spec.backends[0].credentials[0]',
    message: 'each credential names exactly one source, secretRef or file',
  },
  {
    name: 'credential with neither a Secret nor a file',
    object: backendWith({ credentials: [{ weight: 2 }] }),
    field: 'spec.backends[0].credentials[0]',
    message: 'each credential names exactly one source, secretRef or file',
  },
  {
    name: 'credential file path not absolute',
    object: backendWith({ credentials: [{ file: { path: 'vault/openai/key' } }] }),
    field: 'spec.backends[0].credentials[0].file.path',
    message: 'must match the pattern ^/[^\\x00]*$',
  },
  {
    name: 'empty backendSelector',
    object: withSpec(virtualKey({ name: 'k' }), { backendSelector: { matchLabels: {} } }),
    field: 'spec.backendSelector.matchLabels',
    message: 'must not have fewer than 1 properties',
  },
  {
    name: 'key timeout of zero',
    object: withSpec(virtualKey({ name: 'k' }), { timeouts: { firstByte: '0s' } }),
    field: 'spec.timeouts.firstByte',
    message: 'must be greater than 0',
  },
  {
    name: 'key timeout not a duration',
    object: withSpec(virtualKey({ name: 'k' }), { timeouts: { total: '10 minutes' } }),
    field: 'spec.timeouts.total',
    message: 'must be a duration: a number and a unit (ms, s, m, h), such as "250ms", "30s" or "1h30m"',
  },
  {
    name: 'bedrock without region block',
    object: backendWith({ provider: 'bedrock', credentials: [{ secretRef: { name: 'aws' } }] }),
    field: 'spec.backends[0]',
    message: 'bedrock (region) is required for provider bedrock',
  },
  {
    name: 'bedrock ambient and credentials',
    object: backendWith({
      provider: 'bedrock',
      credentials: [{ secretRef: { name: 'aws' } }],
      bedrock: { region: 'us-east-1', useAmbientCredentials: true },
    }),
    field: 'spec.backends[0]',
    message: 'bedrock.useAmbientCredentials and credentials are mutually exclusive',
  },
  {
    name: 'bedrock with neither credentials nor ambient',
    object: backendWith({ provider: 'bedrock', credentials: undefined, bedrock: { region: 'us-east-1' } }),
    field: 'spec.backends[0]',
    message:
      'credentials are required for this provider (only ollama, vllm, openai-compatible and mock may omit them; bedrock may set bedrock.useAmbientCredentials instead)',
  },
  {
    name: 'api-key provider without credentials',
    object: backendWith({ provider: 'anthropic', credentials: undefined }),
    field: 'spec.backends[0]',
    message:
      'credentials are required for this provider (only ollama, vllm, openai-compatible and mock may omit them; bedrock may set bedrock.useAmbientCredentials instead)',
  },
  {
    name: 'api-key credential without key',
    object: backendWith({ credentials: [{ secretRef: { name: 'openai' } }] }),
    field: 'spec.backends[0]',
    message: 'secretRef.key is required; it names the Secret entry holding the API key (the service-account JSON for vertex-ai)',
  },
  {
    name: 'vertex-ai without vertex block',
    object: backendWith({ provider: 'vertex-ai' }),
    field: 'spec.backends[0]',
    message: 'vertex (project, location) is required for provider vertex-ai',
  },
  {
    name: 'mock block on openai',
    object: backendWith({ mock: {} }),
    field: 'spec.backends[0]',
    message: 'mock is only valid with provider mock',
  },
  {
    name: 'mock failure rate above 1',
    object: backendWith({ provider: 'mock', credentials: undefined, mock: { failureRate: '1.5' } }),
    field: 'spec.backends[0].mock.failureRate',
    message: 'must match the pattern ^(0([.][0-9]{1,6})?|1([.]0{1,6})?)$',
  },
  {
    name: 'mock failure rate as an integer above 1',
    object: backendWith({ provider: 'mock', credentials: undefined, mock: { failureRate: 2 } }),
    field: 'spec.backends[0].mock.failureRate',
    message: 'must be <= 1',
  },
  {
    name: 'mock failure rate as a float',
    object: backendWith({ provider: 'mock', credentials: undefined, mock: { failureRate: 0.25 } }),
    field: 'spec.backends[0].mock.failureRate',
    message: 'must be an integer or a string (quote it: "0.25")',
  },
  {
    name: 'reserved upstream header',
    object: backendWith({ headers: { Authorization: 'Bearer x' } }),
    field: 'spec.backends[0].headers',
    message:
      'headers may not set authorization, x-api-key, x-goog-api-key, api-key, host, content-length, content-type, transfer-encoding or connection; the gateway owns them',
  },
  {
    name: 'header name with a space',
    object: backendWith({ headers: { 'X Org': 'a' } }),
    field: 'spec.backends[0].headers',
    message: "header names may contain only letters, digits and '-' (at most 128)",
  },
  {
    name: 'baseURL with another scheme',
    object: backendWith({ baseURL: 'ftp://example.com' }),
    field: 'spec.backends[0].baseURL',
    message: 'must be an http:// or https:// URL without query or fragment',
  },
  {
    name: 'retry attempts as a string',
    object: routeWith({ retry: { attempts: '3' } }),
    field: 'spec.retry.attempts',
    message: 'must be an integer (write it without quotes: 3)',
  },
  { name: 'retry attempts zero', object: routeWith({ retry: { attempts: 0 } }), field: 'spec.retry.attempts', message: 'must be >= 1' },
  {
    name: 'unknown retry class',
    object: routeWith({ retry: { on: ['Timeout', 'Always'] } }),
    field: 'spec.retry.on[1]',
    message: 'must be one of: RateLimited, ServerError, Timeout, ConnectError',
  },
  { name: 'missing backend model', object: backendWith({ model: undefined }), field: 'spec.backends[0].model', message: 'is required' },
  {
    name: 'empty allowedModels',
    object: withSpec(virtualKey({ name: 'k' }), { allowedModels: [] }),
    field: 'spec',
    message: 'allowedModels must not be empty; omit it to allow every model',
  },
  {
    name: 'allowedModels glob with a colon',
    object: withSpec(virtualKey({ name: 'k' }), { allowedModels: ['models:*'] }),
    field: 'spec.allowedModels[0]',
    message: "must be a model name glob: letters, digits, '.', '_', '/', '-' and '*'",
  },
  {
    name: 'expiresAt without time',
    object: withSpec(virtualKey({ name: 'k' }), { expiresAt: '2027-01-01' }),
    field: 'spec.expiresAt',
    message: 'must be an RFC 3339 date-time such as "2027-01-01T00:00:00Z"',
  },
  {
    name: 'zero rate limit',
    object: withSpec(virtualKey({ name: 'k' }), { rateLimit: { requestsPerMinute: 0 } }),
    field: 'spec.rateLimit.requestsPerMinute',
    message: 'must be >= 1',
  },
  {
    name: 'upper-case Secret name',
    object: withSpec(virtualKey({ name: 'k' }), { secretName: 'Key' }),
    field: 'spec.secretName',
    message: "must be a lowercase DNS subdomain name: a-z, 0-9, '-' and '.', starting and ending with a letter or digit",
  },
  {
    name: 'In requirement without values',
    object: withSpec(budget({ name: 'b' }), { selector: { matchExpressions: [{ key: 'team', operator: 'In' }] } }),
    field: 'spec.selector.matchExpressions[0]',
    message: 'values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist',
  },
  {
    name: 'unknown budget period',
    object: withSpec(budget({ name: 'b' }), { period: 'Yearly' }),
    field: 'spec.period',
    message: 'must be one of: Daily, Weekly, Monthly, Total',
  },
  {
    name: 'budget without selector',
    object: { ...budget({ name: 'b' }), spec: { limit: '5' } },
    field: 'spec.selector',
    message: 'is required',
  },
  {
    name: 'object name with upper case',
    object: route({ name: 'GPT' }),
    field: 'metadata.name',
    message:
      "must be a lowercase DNS subdomain name: a-z, 0-9, '-' and '.', starting and ending with a letter or digit, at most 253 characters",
  },
  {
    name: 'bad label value',
    object: virtualKey({ name: 'k', labels: { team: 'pay ments' } }),
    field: 'metadata.labels.team',
    message: "invalid label value: at most 63 characters: letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
  },
  {
    name: 'wrong version',
    object: { ...route({ name: 'x' }), apiVersion: 'switchyard.dev/v1' },
    field: 'apiVersion',
    message: 'must be switchyard.dev/v1alpha1',
  },
];

describe('CRD schema validation rejects bad manifests with the exact message', () => {
  it.each(cases)('$name', ({ object, field, message }) => {
    const result = schemas.validate(object);
    expect(result.ok).toBe(false);
    expect(result.issues[0]).toEqual({ field, message });
  });
});

describe('CRD schema validation accepts good manifests', () => {
  const good: { name: string; object: unknown }[] = [
    { name: 'minimal route', object: route({ name: 'gpt-4o' }) },
    { name: 'model with slash and dots', object: routeWith({ model: 'meta-llama/Llama-3.1-8B.Instruct', aliases: ['llama'] }) },
    {
      name: 'provider model with a colon',
      object: backendWith({
        model: 'anthropic.claude-sonnet-4-5-20250929-v1:0',
        provider: 'bedrock',
        credentials: [{ secretRef: { name: 'aws' } }],
        bedrock: { region: 'us-east-1' },
      }),
    },
    {
      name: 'bedrock ambient',
      object: backendWith({
        provider: 'bedrock',
        credentials: undefined,
        bedrock: { region: 'eu-central-1', useAmbientCredentials: true },
      }),
    },
    { name: 'ollama without credentials', object: backendWith({ provider: 'ollama', model: 'llama3.1:8b', credentials: undefined }) },
    {
      name: 'azure',
      object: backendWith({
        provider: 'azure-openai',
        baseURL: 'https://acme.openai.azure.com/openai',
        azure: { deployment: 'gpt-4o', apiVersion: '2025-04-01-preview' },
      }),
    },
    {
      name: 'vertex',
      object: backendWith({
        provider: 'vertex-ai',
        model: 'gemini-2.5-pro',
        credentials: [{ secretRef: { name: 'gcp', key: 'sa.json' } }],
        vertex: { project: 'acme-prod', location: 'us-central1' },
      }),
    },
    { name: 'mock rate as integer', object: backendWith({ provider: 'mock', credentials: undefined, mock: { failureRate: 1 } }) },
    {
      name: 'mock rate as string',
      object: backendWith({ provider: 'mock', credentials: undefined, mock: { failureRate: '0.125', latency: '1.5s', response: 'hi' } }),
    },
    {
      name: 'drained backend beside a live one',
      object: routeWith({ backends: [openaiBackend({ weight: 0 }), openaiBackend({ name: 'b' })] }),
    },
    { name: 'status is ignored', object: { ...(route({ name: 'x' }) as object), status: { anything: true } } },
    {
      name: 'key with everything',
      object: virtualKey(
        { name: 'k', labels: { 'app.kubernetes.io/team': 'a' } },
        { allowedModels: ['gpt-*'], rateLimit: { tokensPerMinute: 1000 }, disabled: true, expiresAt: '2027-01-01T00:00:00+02:00' },
      ),
    },
    {
      name: 'budget with expressions',
      object: budget(
        { name: 'b' },
        {
          selector: {
            matchExpressions: [
              { key: 'team', operator: 'Exists' },
              { key: 'tier', operator: 'NotIn', values: ['free'] },
            ],
          },
          limit: '0.000000001',
          period: 'Weekly',
          enforcement: 'Warn',
        },
      ),
    },
  ];
  it.each(good)('$name', ({ object }) => {
    const result = schemas.validate(object);
    expect(result.issues).toEqual([]);
    expect(result.ok).toBe(true);
  });
});
