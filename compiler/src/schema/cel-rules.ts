// ajv cannot run the CRDs' CEL rules (x-kubernetes-validations), so each rule has a TypeScript
// twin here, keyed by the rule's exact text. The message always comes from the CRD, so standalone
// mode reports what the API server reports. Loading a CRD whose rule has no twin fails loudly,
// which keeps the two from drifting apart.

import { parseDurationMs } from '../values/duration.js';

type Json = unknown;

function field(value: Json, name: string): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, Json>)[name] : undefined;
}

function has(value: Json, name: string): boolean {
  return field(value, name) !== undefined;
}

function list(value: Json): Json[] {
  return Array.isArray(value) ? value : [];
}

function keys(value: Json): string[] {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
}

function durationMs(value: Json): number {
  return typeof value === 'string' ? parseDurationMs(value) : Number.NaN;
}

const ambientBedrock = (self: Json): boolean =>
  has(self, 'bedrock') &&
  has(field(self, 'bedrock'), 'useAmbientCredentials') &&
  field(field(self, 'bedrock'), 'useAmbientCredentials') === true;

const weightPositive = (item: Json): boolean => !has(item, 'weight') || (field(item, 'weight') as number) > 0;

const RESERVED_HEADERS = new Set([
  'authorization',
  'x-api-key',
  'x-goog-api-key',
  'api-key',
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
]);

const MCP_RESERVED_HEADERS = new Set([
  'authorization',
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'mcp-session-id',
  'mcp-protocol-version',
  'last-event-id',
]);

const OAUTH2_TYPES = new Set<Json>(['oauth2ClientCredentials', 'oauth2PerUser']);

export const CEL_RULE_IMPLEMENTATIONS: Readonly<Record<string, (self: Json) => boolean>> = {
  // ModelRoute spec
  'self.backends.all(b, self.backends.exists_one(c, c.name == b.name))': (self) => {
    const names = list(field(self, 'backends')).map((backend) => field(backend, 'name'));
    return new Set(names).size === names.length;
  },
  'self.backends.exists(b, !has(b.weight) || b.weight > 0)': (self) => list(field(self, 'backends')).some(weightPositive),
  '!has(self.aliases) || !(self.model in self.aliases)': (self) =>
    !has(self, 'aliases') || !list(field(self, 'aliases')).includes(field(self, 'model')),
  '!has(self.fallbackModels) || !self.fallbackModels.exists(m, m == self.model || (has(self.aliases) && m in self.aliases))': (self) => {
    const own = new Set([field(self, 'model'), ...list(field(self, 'aliases'))]);
    return !list(field(self, 'fallbackModels')).some((model) => own.has(model));
  },

  '!has(self.rules) || self.rules.all(r, !has(r.backends) || r.backends.all(n, self.backends.exists(b, b.name == n)))': (self) => {
    const names = new Set(list(field(self, 'backends')).map((backend) => field(backend, 'name')));
    return list(field(self, 'rules')).every((rule) => list(field(rule, 'backends')).every((name) => names.has(name)));
  },
  '!has(self.rules) || self.rules.all(r, !has(r.route) || (r.route != self.model && (!has(self.aliases) || !(r.route in self.aliases))))': (
    self,
  ) => {
    const own = new Set([field(self, 'model'), ...list(field(self, 'aliases'))]);
    return list(field(self, 'rules')).every((rule) => !has(rule, 'route') || !own.has(field(rule, 'route')));
  },
  'has(self.backends) != has(self.route)': (self) => has(self, 'backends') !== has(self, 'route'),
  '!has(self.minPromptTokens) || !has(self.maxPromptTokens) || self.minPromptTokens <= self.maxPromptTokens': (self) =>
    !has(self, 'minPromptTokens') ||
    !has(self, 'maxPromptTokens') ||
    (field(self, 'minPromptTokens') as number) <= (field(self, 'maxPromptTokens') as number),

  // ModelRoute backend
  "has(self.credentials) || self.provider in ['ollama', 'vllm', 'openai-compatible', 'mock'] || (self.provider == 'bedrock' && has(self.bedrock) && has(self.bedrock.useAmbientCredentials) && self.bedrock.useAmbientCredentials)":
    (self) =>
      has(self, 'credentials') ||
      ['ollama', 'vllm', 'openai-compatible', 'mock'].includes(field(self, 'provider') as string) ||
      (field(self, 'provider') === 'bedrock' && ambientBedrock(self)),
  "self.provider != 'bedrock' || !has(self.credentials) || self.credentials.all(c, !has(c.secretRef) || !has(c.secretRef.key))": (self) =>
    field(self, 'provider') !== 'bedrock' ||
    list(field(self, 'credentials')).every((credential) => !has(credential, 'secretRef') || !has(field(credential, 'secretRef'), 'key')),
  "self.provider != 'bedrock' || !has(self.credentials) || self.credentials.all(c, has(c.secretRef))": (self) =>
    field(self, 'provider') !== 'bedrock' || list(field(self, 'credentials')).every((credential) => has(credential, 'secretRef')),
  "self.provider == 'bedrock' || !has(self.credentials) || self.credentials.all(c, !has(c.secretRef) || has(c.secretRef.key))": (self) =>
    field(self, 'provider') === 'bedrock' ||
    list(field(self, 'credentials')).every((credential) => !has(credential, 'secretRef') || has(field(credential, 'secretRef'), 'key')),
  // ModelRoute backend credential
  'has(self.secretRef) != has(self.file)': (self) => has(self, 'secretRef') !== has(self, 'file'),
  '!(has(self.credentials) && has(self.bedrock) && has(self.bedrock.useAmbientCredentials) && self.bedrock.useAmbientCredentials)': (
    self,
  ) => !(has(self, 'credentials') && ambientBedrock(self)),
  "self.provider in ['openai-compatible', 'azure-openai'] ? has(self.baseURL) : true": (self) =>
    !['openai-compatible', 'azure-openai'].includes(field(self, 'provider') as string) || has(self, 'baseURL'),
  "self.provider != 'azure-openai' || has(self.azure)": (self) => field(self, 'provider') !== 'azure-openai' || has(self, 'azure'),
  "!has(self.azure) || self.provider == 'azure-openai'": (self) => !has(self, 'azure') || field(self, 'provider') === 'azure-openai',
  "self.provider != 'bedrock' || has(self.bedrock)": (self) => field(self, 'provider') !== 'bedrock' || has(self, 'bedrock'),
  "!has(self.bedrock) || self.provider == 'bedrock'": (self) => !has(self, 'bedrock') || field(self, 'provider') === 'bedrock',
  "self.provider != 'vertex-ai' || has(self.vertex)": (self) => field(self, 'provider') !== 'vertex-ai' || has(self, 'vertex'),
  "!has(self.vertex) || self.provider == 'vertex-ai'": (self) => !has(self, 'vertex') || field(self, 'provider') === 'vertex-ai',
  "!has(self.mock) || self.provider == 'mock'": (self) => !has(self, 'mock') || field(self, 'provider') === 'mock',
  "self.all(k, k.matches('^[A-Za-z0-9]([-A-Za-z0-9_./]{0,61}[A-Za-z0-9])?$'))": (self) =>
    keys(self).every((name) => /^[A-Za-z0-9]([-A-Za-z0-9_./]{0,61}[A-Za-z0-9])?$/.test(name)),
  'self.exists(c, !has(c.weight) || c.weight > 0)': (self) => list(self).some(weightPositive),
  "self.all(k, k.matches('^[A-Za-z0-9-]{1,128}$'))": (self) => keys(self).every((name) => /^[A-Za-z0-9-]{1,128}$/.test(name)),
  "self.all(k, !(k.lowerAscii() in ['authorization', 'x-api-key', 'x-goog-api-key', 'api-key', 'host', 'content-length', 'content-type', 'transfer-encoding', 'connection']))":
    (self) => keys(self).every((name) => !RESERVED_HEADERS.has(name.toLowerCase())),
  '!has(self.initial) || !has(self.max) || duration(self.max) >= duration(self.initial)': (self) =>
    !has(self, 'initial') || !has(self, 'max') || durationMs(field(self, 'max')) >= durationMs(field(self, 'initial')),
  "duration(self) > duration('0s')": (self) => durationMs(self) > 0,
  // ModelRoute spec.cache.semantic
  '!has(self.threshold) || (self.threshold > 0.0 && self.threshold <= 1.0)': (self) =>
    !has(self, 'threshold') || ((field(self, 'threshold') as number) > 0 && (field(self, 'threshold') as number) <= 1),
  '!has(self.maxTemperature) || (self.maxTemperature >= 0.0 && self.maxTemperature <= 2.0)': (self) =>
    !has(self, 'maxTemperature') || ((field(self, 'maxTemperature') as number) >= 0 && (field(self, 'maxTemperature') as number) <= 2),
  "duration(self) >= duration('1s') && duration(self) <= duration('24h')": (self) => {
    const ms = durationMs(self);
    return ms >= 1000 && ms <= 86_400_000;
  },

  // VirtualKey spec
  '!has(self.allowedModels) || size(self.allowedModels) > 0': (self) =>
    !has(self, 'allowedModels') || list(field(self, 'allowedModels')).length > 0,
  'has(self.secretName) || (has(self.subjects) && size(self.subjects) > 0)': (self) =>
    has(self, 'secretName') || list(field(self, 'subjects')).length > 0,
  "self.kind != 'ServiceAccount' || (has(self.namespace) && has(self.name))": (self) =>
    field(self, 'kind') !== 'ServiceAccount' || (has(self, 'namespace') && has(self, 'name')),
  "self.kind != 'ServiceAccount' || !(has(self.issuer) || has(self.audience) || has(self.claims) || has(self.groupsClaim) || has(self.groups))":
    (self) =>
      field(self, 'kind') !== 'ServiceAccount' ||
      !['issuer', 'audience', 'claims', 'groupsClaim', 'groups'].some((name) => has(self, name)),
  "self.kind != 'OIDC' || (has(self.issuer) && has(self.audience))": (self) =>
    field(self, 'kind') !== 'OIDC' || (has(self, 'issuer') && has(self, 'audience')),
  "self.kind != 'OIDC' || !(has(self.namespace) || has(self.name))": (self) =>
    field(self, 'kind') !== 'OIDC' || !(has(self, 'namespace') || has(self, 'name')),

  // MCPServer
  '(has(self.url) ? 1 : 0) + (has(self.openapi) ? 1 : 0) + (has(self.command) ? 1 : 0) == 1': (self) =>
    ['url', 'openapi', 'command'].filter((name) => has(self, name)).length === 1,
  // The one rule whose twin differs from the API server on purpose: stdio servers are what
  // standalone mode (the only user of these twins) adds over a cluster, where the CRD refuses them.
  // The compiler refuses `command` too unless it compiles for standalone mode.
  '!has(self.command)': () => true,
  '!has(self.env) || has(self.command)': (self) => !has(self, 'env') || has(self, 'command'),
  'has(self.value) != has(self.valueFrom)': (self) => has(self, 'value') !== has(self, 'valueFrom'),
  'has(self.configMapRef) != has(self.inline)': (self) => has(self, 'configMapRef') !== has(self, 'inline'),
  "!(self.name.lowerAscii() in ['authorization', 'host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id'])":
    (self) => !MCP_RESERVED_HEADERS.has(String(field(self, 'name')).toLowerCase()),
  "self.type != 'bearer' || has(self.secretRef)": (self) => field(self, 'type') !== 'bearer' || has(self, 'secretRef'),
  "self.type == 'bearer' || !has(self.secretRef)": (self) => field(self, 'type') === 'bearer' || !has(self, 'secretRef'),
  "!(self.type in ['oauth2ClientCredentials', 'oauth2PerUser']) || (has(self.tokenURL) && has(self.clientId) && has(self.clientSecretRef))":
    (self) => !OAUTH2_TYPES.has(field(self, 'type')) || (has(self, 'tokenURL') && has(self, 'clientId') && has(self, 'clientSecretRef')),
  "self.type in ['oauth2ClientCredentials', 'oauth2PerUser'] || !(has(self.tokenURL) || has(self.clientId) || has(self.clientSecretRef) || has(self.scopes))":
    (self) =>
      OAUTH2_TYPES.has(field(self, 'type')) || !['tokenURL', 'clientId', 'clientSecretRef', 'scopes'].some((name) => has(self, name)),
  "self.type != 'oauth2PerUser' || has(self.authorizationURL)": (self) =>
    field(self, 'type') !== 'oauth2PerUser' || has(self, 'authorizationURL'),
  "self.type == 'oauth2PerUser' || !has(self.authorizationURL)": (self) =>
    field(self, 'type') === 'oauth2PerUser' || !has(self, 'authorizationURL'),
  "!self.contains('__')": (self) => typeof self === 'string' && !self.includes('__'),
  "duration(self) > duration('0s') && duration(self) <= duration('5m')": (self) => {
    const ms = durationMs(self);
    return ms > 0 && ms <= 300_000;
  },
  "duration(self) > duration('0s') && duration(self) <= duration('1h')": (self) => {
    const ms = durationMs(self);
    return ms > 0 && ms <= 3_600_000;
  },
  "has(self.spec.prefix) || (size(self.metadata.name) <= 63 && self.metadata.name.matches('^[a-z0-9][a-z0-9_-]*$'))": (self) => {
    const name = field(field(self, 'metadata'), 'name');
    return has(field(self, 'spec'), 'prefix') || (typeof name === 'string' && name.length <= 63 && /^[a-z0-9][a-z0-9_-]*$/.test(name));
  },

  // GuardrailPolicy
  'self.checks.all(c, self.checks.exists_one(d, d.name == c.name))': (self) => {
    const names = list(field(self, 'checks')).map((check) => field(check, 'name'));
    return new Set(names).size === names.length;
  },
  "self.type != 'pii' || (has(self.entities) && size(self.entities) > 0)": (self) =>
    field(self, 'type') !== 'pii' || list(field(self, 'entities')).length > 0,
  "self.type != 'denylist' || (has(self.phrases) && size(self.phrases) > 0)": (self) =>
    field(self, 'type') !== 'denylist' || list(field(self, 'phrases')).length > 0,
  "self.type != 'regex' || has(self.pattern)": (self) => field(self, 'type') !== 'regex' || has(self, 'pattern'),
  "self.type != 'webhook' || has(self.url)": (self) => field(self, 'type') !== 'webhook' || has(self, 'url'),
  "self.type != 'moderation' || has(self.model)": (self) => field(self, 'type') !== 'moderation' || has(self, 'model'),
  "self.type == 'webhook' || has(self.action)": (self) => field(self, 'type') === 'webhook' || has(self, 'action'),
  "self.type == 'webhook' || !has(self.url)": (self) => field(self, 'type') === 'webhook' || !has(self, 'url'),
  "self.type == 'webhook' || self.type == 'moderation' || !(has(self.timeout) || has(self.failurePolicy))": (self) =>
    field(self, 'type') === 'webhook' ||
    field(self, 'type') === 'moderation' ||
    !['timeout', 'failurePolicy'].some((name) => has(self, name)),
  "!has(self.restore) || !self.restore || (has(self.action) && self.action == 'redact' && self.type != 'webhook' && self.type != 'moderation')":
    (self) =>
      field(self, 'restore') !== true ||
      (field(self, 'action') === 'redact' && field(self, 'type') !== 'webhook' && field(self, 'type') !== 'moderation'),
  "duration(self) > duration('0s') && duration(self) <= duration('30s')": (self) => {
    const ms = durationMs(self);
    return ms > 0 && ms <= 30_000;
  },

  // Budget selector requirement
  "self.operator in ['In', 'NotIn'] ? (has(self.values) && size(self.values) > 0) : (!has(self.values) || size(self.values) == 0)": (
    self,
  ) =>
    ['In', 'NotIn'].includes(field(self, 'operator') as string)
      ? list(field(self, 'values')).length > 0
      : list(field(self, 'values')).length === 0,
};
