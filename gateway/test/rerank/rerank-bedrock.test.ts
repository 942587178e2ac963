// Rerank through a `bedrock` backend, through the gateway process: the gateway calls the Agent
// Runtime's Rerank (`POST /rerank`) signed with SigV4, with the query and inline text documents
// and the model's ARN in the backend's region; the Bedrock mock verifies the signature and the
// body's schema. Bedrock reports no usage, so the gateway's estimate is logged as such.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { documents, keyObjects, postJson, routeObject, testKey } from '../core/core-fixtures.js';
import { startBedrockMockServer, type BedrockMockServer } from '../mocks/bedrock-mock-server.js';
import { TEST_AWS_IDENTITY } from '../providers/bedrock/bedrock-test-target.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { DOCUMENTS, EXPECTED_ORDER, QUERY, requestLine } from './rerank-upstreams.js';

const key = testKey('rerankbedrock');

describe('rerank through a bedrock backend', () => {
  let bedrock: BedrockMockServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    bedrock = await startBedrockMockServer({ identities: [TEST_AWS_IDENTITY], region: 'us-west-2' });
    const backend = (name: string, model: string) => ({
      name,
      provider: 'bedrock',
      model,
      baseURL: bedrock.url,
      bedrock: { region: 'us-west-2' },
      credentials: [{ secretRef: { name: 'aws' } }],
      pricing: { inputPerMillion: '1', outputPerMillion: '0' },
    });
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'aws', namespace: 'default' }, stringData: TEST_AWS_IDENTITY },
          routeObject({ name: 'amazon-rr', backends: [backend('amazon', 'amazon.rerank-v1:0')] }),
          routeObject({
            name: 'arn-rr',
            backends: [backend('arn', 'arn:aws:bedrock:us-west-2:123456789012:provisioned-model/abc')],
          }),
          ...keyObjects({ name: 'app', key }),
        ),
      },
    });
  }, 30_000);
  afterAll(async () => {
    await gateway?.stop();
    await bedrock?.close();
  });

  it('sends a signed Rerank with the foundation model ARN and answers best first, cut to top_n', async () => {
    const answer = await postJson(gateway, '/v1/rerank', key, {
      model: 'amazon-rr',
      query: QUERY,
      documents: DOCUMENTS,
      top_n: 2,
      return_documents: true,
    });
    expect(answer.status).toBe(200);
    const body = answer.json as { model: string; results: Array<{ index: number; document: { text: string } }> };
    expect(body.model).toBe('amazon-rr');
    expect(body.results.map((r) => r.index)).toEqual(EXPECTED_ORDER.slice(0, 2));
    expect(body.results.map((r) => r.document.text)).toEqual(EXPECTED_ORDER.slice(0, 2).map((i) => DOCUMENTS[i]));
    const call = bedrock.calls.at(-1);
    expect(call).toMatchObject({
      operation: 'rerank',
      status: 200,
      modelId: 'arn:aws:bedrock:us-west-2::foundation-model/amazon.rerank-v1:0',
    });
    expect(call?.body).toEqual({
      queries: [{ type: 'TEXT', textQuery: { text: QUERY } }],
      sources: DOCUMENTS.map((text) => ({ type: 'INLINE', inlineDocumentSource: { type: 'TEXT', textDocument: { text } } })),
      rerankingConfiguration: {
        type: 'BEDROCK_RERANKING_MODEL',
        bedrockRerankingConfiguration: {
          numberOfResults: 2,
          modelConfiguration: { modelArn: 'arn:aws:bedrock:us-west-2::foundation-model/amazon.rerank-v1:0' },
        },
      },
    });
    const line = await requestLine(gateway, answer.headers.get('x-request-id'));
    expect(line).toMatchObject({ operation: 'rerank', route: 'default/amazon-rr', backend: 'amazon', usageEstimated: true });
  });

  it('keeps a model given as an ARN, and asks for every document without top_n', async () => {
    const answer = await postJson(gateway, '/v1/rerank', key, { model: 'arn-rr', query: QUERY, documents: DOCUMENTS });
    expect(answer.status).toBe(200);
    expect((answer.json as { results: Array<{ index: number }> }).results.map((r) => r.index)).toEqual(EXPECTED_ORDER);
    const sent = bedrock.calls.at(-1)?.body as { rerankingConfiguration: { bedrockRerankingConfiguration: unknown } };
    const config = sent.rerankingConfiguration.bedrockRerankingConfiguration;
    expect(config).toEqual({
      numberOfResults: DOCUMENTS.length,
      modelConfiguration: { modelArn: 'arn:aws:bedrock:us-west-2:123456789012:provisioned-model/abc' },
    });
  });
});
