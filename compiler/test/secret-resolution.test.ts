import { describe, expect, it } from '@jest/globals';
import { compile, conditionOf } from './support/compile.js';
import { openaiBackend, route, secret } from './support/manifests.js';

describe('credential Secrets', () => {
  it('resolves API keys by entry, trimming a trailing newline, with a ref that names no value', () => {
    const { table } = compile({
      routes: [
        route(
          { name: 'gpt-4o' },
          {
            backends: [
              openaiBackend({
                credentials: [{ secretRef: { name: 'openai', key: 'apiKey' }, weight: 3 }, { secretRef: { name: 'openai', key: 'spare' } }],
              }),
            ],
          },
        ),
      ],
      secrets: [secret({ name: 'openai' }, { apiKey: 'sk-first\n', spare: 'sk-second' })],
    });
    expect(table.routes['default/gpt-4o']?.backends[0]?.credentials).toEqual([
      { ref: 'default/openai/apiKey', weight: 3, apiKey: 'sk-first' },
      { ref: 'default/openai/spare', weight: 1, apiKey: 'sk-second' },
    ]);
  });

  it('resolves AWS credentials for bedrock, session token optional', () => {
    const bedrock = (name: string, secretName: string) => ({
      name,
      provider: 'bedrock' as const,
      model: 'anthropic.claude-sonnet-4-5-20250929-v1:0',
      credentials: [{ secretRef: { name: secretName } }],
      bedrock: { region: 'us-west-2' },
    });
    const { table } = compile({
      routes: [route({ name: 'claude' }, { backends: [bedrock('a', 'aws-a'), bedrock('b', 'aws-b')] })],
      secrets: [
        secret({ name: 'aws-a' }, { accessKeyId: 'AKIA1', secretAccessKey: 'secret1', sessionToken: 'token1' }),
        secret({ name: 'aws-b' }, { accessKeyId: 'AKIA2', secretAccessKey: 'secret2' }),
      ],
    });
    const [a, b] = table.routes['default/claude']?.backends ?? [];
    expect(a?.credentials).toEqual([
      { ref: 'default/aws-a', weight: 1, aws: { accessKeyId: 'AKIA1', secretAccessKey: 'secret1', sessionToken: 'token1' } },
    ]);
    expect(b?.credentials[0]?.aws).toEqual({ accessKeyId: 'AKIA2', secretAccessKey: 'secret2' });
    expect(a?.baseURL).toBe('https://bedrock-runtime.us-west-2.amazonaws.com');
    expect(a?.bedrock).toEqual({ region: 'us-west-2', useAmbientCredentials: false });
  });

  it('resolves a Vertex AI service-account JSON', () => {
    const json = JSON.stringify({ type: 'service_account', client_email: 'sa@p.iam.gserviceaccount.com' });
    const { table } = compile({
      routes: [
        route(
          { name: 'gemini' },
          {
            backends: [
              {
                name: 'v',
                provider: 'vertex-ai',
                model: 'gemini-2.5-pro',
                credentials: [{ secretRef: { name: 'gcp', key: 'sa.json' } }],
                vertex: { project: 'acme-prod', location: 'europe-west4' },
              },
            ],
          },
        ),
      ],
      secrets: [secret({ name: 'gcp' }, { 'sa.json': json })],
    });
    const backend = table.routes['default/gemini']?.backends[0];
    expect(backend?.credentials).toEqual([{ ref: 'default/gcp/sa.json', weight: 1, serviceAccountJson: json }]);
    expect(backend?.baseURL).toBe('https://europe-west4-aiplatform.googleapis.com');
  });

  it('drops backends whose Secret is missing, keeps the route, and says so without values', () => {
    const { table, diagnostics } = compile({
      routes: [
        route(
          { name: 'gpt-4o' },
          {
            backends: [
              openaiBackend({ name: 'good' }),
              openaiBackend({ name: 'bad', credentials: [{ secretRef: { name: 'nope', key: 'apiKey' } }] }),
            ],
          },
        ),
      ],
      secrets: [secret({ name: 'openai' }, { apiKey: 'sk-secret-value' })],
    });
    expect(table.routes['default/gpt-4o']?.backends.map((b) => b.name)).toEqual(['good']);
    expect(conditionOf(diagnostics, 'ModelRoute', 'default/gpt-4o', 'ResolvedRefs')).toEqual({
      type: 'ResolvedRefs',
      status: 'False',
      reason: 'SecretNotFound',
      message: 'backend bad: Secret default/nope not found (needed for key "apiKey")',
    });
    expect(conditionOf(diagnostics, 'ModelRoute', 'default/gpt-4o', 'Accepted')).toMatchObject({ status: 'True', reason: 'Accepted' });
    expect(JSON.stringify(diagnostics)).not.toContain('sk-secret-value');
  });

  it.each([
    ['a missing entry', { other: 'x' }, 'SecretKeyNotFound', 'backend openai-main: Secret default/openai has no entry "apiKey"'],
    ['an empty entry', { apiKey: '  \n' }, 'InvalidSecret', 'backend openai-main: entry "apiKey" of Secret default/openai is empty'],
  ])('rejects the route when its only backend has %s', (_name, entries, reason, message) => {
    const { table, diagnostics } = compile({ routes: [route({ name: 'gpt-4o' })], secrets: [secret({ name: 'openai' }, entries)] });
    expect(table.routes).toEqual({});
    expect(conditionOf(diagnostics, 'ModelRoute', 'default/gpt-4o', 'ResolvedRefs')).toMatchObject({ status: 'False', reason, message });
    expect(conditionOf(diagnostics, 'ModelRoute', 'default/gpt-4o', 'Accepted')).toMatchObject({ status: 'False', reason: 'NoBackends' });
  });

  // Accepted=False wins over ResolvedRefs wherever one condition is shown (standalone errors,
  // `kubectl get` columns), so the NoBackends message itself names every Secret it lacks.
  it('names each missing Secret and key in the NoBackends message', () => {
    const { table, diagnostics } = compile({
      routes: [
        route(
          { name: 'local' },
          {
            backends: [
              openaiBackend({ name: 'a', credentials: [{ secretRef: { name: 'local-secret', key: 'apiKey' } }] }),
              {
                name: 'b',
                provider: 'bedrock',
                model: 'm',
                credentials: [{ secretRef: { name: 'aws' } }],
                bedrock: { region: 'us-east-1' },
              },
            ],
          },
        ),
      ],
      secrets: [],
    });
    expect(table.routes).toEqual({});
    expect(conditionOf(diagnostics, 'ModelRoute', 'default/local', 'Accepted')).toEqual({
      type: 'Accepted',
      status: 'False',
      reason: 'NoBackends',
      message:
        'no backend left: every backend is missing its credentials; ' +
        'backend a: Secret default/local-secret not found (needed for key "apiKey"); ' +
        'backend b: Secret default/aws not found (needed for keys accessKeyId and secretAccessKey)',
    });
  });

  it('reports AWS Secrets without the access key pair', () => {
    const { diagnostics } = compile({
      routes: [
        route(
          { name: 'c' },
          {
            backends: [
              {
                name: 'b',
                provider: 'bedrock',
                model: 'm',
                credentials: [{ secretRef: { name: 'aws' } }],
                bedrock: { region: 'us-east-1' },
              },
            ],
          },
        ),
      ],
      secrets: [secret({ name: 'aws' }, { accessKeyId: 'AKIA' })],
    });
    expect(conditionOf(diagnostics, 'ModelRoute', 'default/c', 'ResolvedRefs')?.message).toBe(
      'backend b: Secret default/aws has no secretAccessKey',
    );
  });

  it('looks Secrets up in the route namespace only', () => {
    const { table } = compile({
      routes: [route({ name: 'gpt-4o', namespace: 'team-a' })],
      secrets: [secret({ name: 'openai', namespace: 'team-b' }, { apiKey: 'sk-b' })],
    });
    expect(table.routes).toEqual({});
  });

  it('needs no Secret for ollama, mock and ambient bedrock', () => {
    const { table } = compile({
      routes: [
        route(
          { name: 'local' },
          {
            backends: [
              { name: 'ollama', provider: 'ollama', model: 'llama3.1:8b' },
              { name: 'mock', provider: 'mock', model: 'm' },
              { name: 'aws', provider: 'bedrock', model: 'm', bedrock: { region: 'eu-west-1', useAmbientCredentials: true } },
            ],
          },
        ),
      ],
    });
    expect(table.routes['default/local']?.backends.map((b) => [b.name, b.credentials.length, b.baseURL])).toEqual([
      ['ollama', 0, 'http://127.0.0.1:11434/v1'],
      ['mock', 0, 'mock://switchyard'],
      ['aws', 0, 'https://bedrock-runtime.eu-west-1.amazonaws.com'],
    ]);
  });
});
