// The official `openai` SDK's images.generate and images.edit through the gateway process to
// each provider's image API, served by mocks speaking its wire format: OpenAI (DALL-E 2 and 3,
// GPT Image with token usage), Azure OpenAI (deployment URL, api-version, api-key), Imagen on the
// Gemini API and on Vertex AI (`:predict`), and Titan Image Generator on Bedrock (InvokeModel,
// SigV4). Each answer's cost header is the catalog's price of what was answered.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI, { toFile } from 'openai';
import { documents, keyObjects, openAIClient, routeObject, testKey } from '../core/core-fixtures.js';
import { logRecords } from '../governance/governance-fixtures.js';
import { startBedrockMockServer, type BedrockMockServer } from '../mocks/bedrock-mock-server.js';
import { startImagesMockServer, type ImagesMockServer } from '../mocks/images-mock-server.js';
import { startVertexAIMockServer, type VertexAIMockServer } from '../mocks/vertex-ai-mock-server.js';
import { TEST_AWS_IDENTITY } from '../providers/bedrock/bedrock-test-target.js';
import { createTestServiceAccount, TEST_CLIENT_EMAIL, TEST_LOCATION, TEST_PROJECT } from '../providers/vertex-ai/vertex-ai-test-support.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { imagesSecret, isPng, openAIImageBackend, PNG } from './image-upstreams.js';

const key = testKey('imagesproviders');
const account = createTestServiceAccount();

describe('images through the gateway to every image provider', () => {
  let images: ImagesMockServer;
  let vertex: VertexAIMockServer;
  let bedrock: BedrockMockServer;
  let gateway: GatewayProcess;
  let client: OpenAI;

  beforeAll(async () => {
    images = await startImagesMockServer();
    vertex = await startVertexAIMockServer({
      publicKey: account.publicKeyPem,
      clientEmail: TEST_CLIENT_EMAIL,
      project: TEST_PROJECT,
      location: TEST_LOCATION,
    });
    bedrock = await startBedrockMockServer({ identities: [TEST_AWS_IDENTITY], region: 'us-west-2' });
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          imagesSecret,
          { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'aws', namespace: 'default' }, stringData: TEST_AWS_IDENTITY },
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 'gcp', namespace: 'default' },
            stringData: { 'sa.json': account.json(vertex.tokenUri) },
          },
          routeObject({ name: 'dalle3', backends: [openAIImageBackend('oa', 'dall-e-3', images.url)] }),
          routeObject({ name: 'dalle2', backends: [openAIImageBackend('oa', 'dall-e-2', images.url)] }),
          routeObject({ name: 'gpt-image', backends: [openAIImageBackend('oa', 'gpt-image-1', images.url)] }),
          routeObject({
            name: 'azure-image',
            backends: [
              {
                name: 'az',
                provider: 'azure-openai',
                model: 'dall-e-3',
                baseURL: images.url,
                azure: { deployment: 'img-deploy', apiVersion: '2025-04-01-preview' },
                credentials: [{ secretRef: { name: 'images', key: 'apiKey' } }],
              },
            ],
          }),
          routeObject({
            name: 'gemini-imagen',
            backends: [
              {
                name: 'g',
                provider: 'gemini',
                model: 'imagen-4.0-generate-001',
                baseURL: images.url,
                credentials: [{ secretRef: { name: 'images', key: 'apiKey' } }],
              },
            ],
          }),
          routeObject({
            name: 'vertex-imagen',
            backends: [
              {
                name: 'v',
                provider: 'vertex-ai',
                model: 'imagen-4.0-fast-generate-001',
                baseURL: vertex.url,
                vertex: { project: TEST_PROJECT, location: TEST_LOCATION },
                credentials: [{ secretRef: { name: 'gcp', key: 'sa.json' } }],
              },
            ],
          }),
          routeObject({
            name: 'titan',
            backends: [
              {
                name: 't',
                provider: 'bedrock',
                model: 'amazon.titan-image-generator-v2:0',
                baseURL: bedrock.url,
                bedrock: { region: 'us-west-2' },
                credentials: [{ secretRef: { name: 'aws' } }],
              },
            ],
          }),
          ...keyObjects({ name: 'app', key }),
        ),
      },
    });
    client = openAIClient(gateway, key);
  }, 30_000);
  afterAll(async () => {
    await gateway?.stop();
    await images?.close();
    await vertex?.close();
    await bedrock?.close();
  });

  it('generates with DALL-E 3: the upstream gets the model and fields, the caller the image and its $0.04 price', async () => {
    const { data, response } = await client.images
      .generate({ model: 'dalle3', prompt: 'a lighthouse at dusk', size: '1024x1024', quality: 'standard', response_format: 'b64_json' })
      .withResponse();
    expect(isPng(data.data?.[0]?.b64_json)).toBe(true);
    expect(data.data?.[0]?.revised_prompt).toBe('revised: a lighthouse at dusk');
    expect(response.headers.get('x-switchyard-cost-usd')).toBe('0.04');
    const call = images.calls.at(-1);
    expect(call?.fields).toEqual({
      model: 'dall-e-3',
      prompt: 'a lighthouse at dusk',
      size: '1024x1024',
      quality: 'standard',
      response_format: 'b64_json',
    });
    // The access-log line is written once the answer is sent: wait for it.
    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && line === undefined; i++) {
      line = logRecords(gateway).find((r) => r.operation === 'images');
      if (line === undefined) await new Promise((resolveWait) => setTimeout(resolveWait, 50));
    }
    expect(line).toMatchObject({ operation: 'images', model: 'dalle3', status: 200, images: 1, costUsd: '0.04' });
  });

  it('charges DALL-E 3 HD wide images at $0.12 and passes URL answers through from OpenAI', async () => {
    const hd = await client.images.generate({ model: 'dalle3', prompt: 'x', size: '1792x1024', quality: 'hd' }).withResponse();
    expect(hd.response.headers.get('x-switchyard-cost-usd')).toBe('0.12');
    const url = await client.images
      .generate({ model: 'dalle2', prompt: 'x', n: 2, size: '512x512', response_format: 'url' })
      .withResponse();
    expect(url.data.data?.map((d) => d.url)).toEqual([
      'https://images.example.test/dall-e-2/0.png',
      'https://images.example.test/dall-e-2/1.png',
    ]);
    expect(url.response.headers.get('x-switchyard-cost-usd')).toBe('0.036');
  });

  it('charges GPT Image by the tokens OpenAI reports and passes its usage on', async () => {
    const { data, response } = await client.images.generate({ model: 'gpt-image', prompt: 'a red kite', quality: 'high' }).withResponse();
    expect(isPng(data.data?.[0]?.b64_json)).toBe(true);
    expect(data.usage).toEqual({
      total_tokens: 4210,
      input_tokens: 50,
      output_tokens: 4160,
      input_tokens_details: { text_tokens: 10, image_tokens: 40 },
    });
    expect(data.quality).toBe('high');
    // 10 text tokens at $5/M, 40 image tokens at $10/M, 4,160 output tokens at $40/M
    expect(response.headers.get('x-switchyard-cost-usd')).toBe('0.16685');
  });

  it('edits with GPT Image: several images and a mask go upstream as multipart parts', async () => {
    const { data } = await client.images
      .edit({
        model: 'gpt-image',
        prompt: 'add a moon',
        image: [await toFile(PNG, 'a.png', { type: 'image/png' }), await toFile(PNG, 'b.png', { type: 'image/png' })],
        mask: await toFile(PNG, 'mask.png', { type: 'image/png' }),
        size: '1024x1024',
      })
      .withResponse();
    expect(isPng(data.data?.[0]?.b64_json)).toBe(true);
    const call = images.calls.at(-1);
    expect(call?.operation).toBe('edits');
    expect(call?.fields).toEqual({ model: 'gpt-image-1', prompt: 'add a moon', size: '1024x1024' });
    expect(call?.files).toEqual([
      { field: 'image[]', filename: 'a.png', type: 'image/png', size: PNG.length },
      { field: 'image[]', filename: 'b.png', type: 'image/png', size: PNG.length },
      { field: 'mask', filename: 'mask.png', type: 'image/png', size: PNG.length },
    ]);
  });

  it('edits with DALL-E 2: one image as `image`, priced per image', async () => {
    const { response } = await client.images
      .edit({ model: 'dalle2', prompt: 'make it blue', image: await toFile(PNG, 'in.png', { type: 'image/png' }), n: 2 })
      .withResponse();
    expect(response.headers.get('x-switchyard-cost-usd')).toBe('0.04');
    const call = images.calls.at(-1);
    expect(call?.files.map((f) => f.field)).toEqual(['image']);
    expect(call?.fields).toMatchObject({ model: 'dall-e-2', n: 2 });
  });

  it('generates on Azure OpenAI: deployment URL with api-version, api-key header, no model in the body', async () => {
    const { data, response } = await client.images.generate({ model: 'azure-image', prompt: 'a fox' }).withResponse();
    expect(isPng(data.data?.[0]?.b64_json)).toBe(true);
    expect(response.headers.get('x-switchyard-cost-usd')).toBe('0.04');
    const call = images.calls.at(-1);
    expect(call?.dialect).toBe('azure');
    expect(call?.operation).toBe('generations');
    expect(call?.url).toBe('/openai/deployments/img-deploy/images/generations?api-version=2025-04-01-preview');
    expect(call?.fields).toEqual({ prompt: 'a fox' });
  });

  it('edits on Azure OpenAI: the multipart body on the deployment URL, without a model part', async () => {
    const edited = await client.images.edit({
      model: 'azure-image',
      prompt: 'snow',
      image: await toFile(PNG, 'in.png', { type: 'image/png' }),
    });
    expect(isPng(edited.data?.[0]?.b64_json)).toBe(true);
    const call = images.calls.at(-1);
    expect(call?.url).toBe('/openai/deployments/img-deploy/images/edits?api-version=2025-04-01-preview');
    expect(call?.fields).toEqual({ prompt: 'snow' });
    expect(call?.files.map((f) => f.field)).toEqual(['image']);
  });

  it("passes OpenAI's own refusal on: GPT Image answers no URLs, a 400 naming response_format", async () => {
    const refused = await client.images.generate({ model: 'gpt-image', prompt: 'x', response_format: 'url' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('response_format');
  });

  it('generates with Imagen on the Gemini API: sampleCount and the nearest aspect ratio', async () => {
    const { data, response } = await client.images
      .generate({ model: 'gemini-imagen', prompt: 'a canyon', n: 2, size: '1792x1024' })
      .withResponse();
    expect(data.data).toHaveLength(2);
    expect(data.data?.every((d) => isPng(d.b64_json))).toBe(true);
    expect(response.headers.get('x-switchyard-cost-usd')).toBe('0.08');
    const call = images.calls.at(-1);
    expect(call?.url).toBe('/v1beta/models/imagen-4.0-generate-001:predict');
    expect(call?.fields).toEqual({ instances: [{ prompt: 'a canyon' }], parameters: { sampleCount: 2, aspectRatio: '16:9' } });
  });

  it('refuses a URL answer from Imagen with a 400 naming response_format, sending nothing', async () => {
    const before = images.calls.length;
    const refused = await client.images.generate({ model: 'gemini-imagen', prompt: 'x', response_format: 'url' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    const error = refused as InstanceType<typeof OpenAI.BadRequestError>;
    expect(error.message).toContain("'response_format: url'");
    expect(error.param).toBe('response_format');
    expect(images.calls.length).toBe(before);
  });

  it('generates with Imagen on Vertex AI: an OAuth-authorized :predict on the Google publisher', async () => {
    const { data, response } = await client.images
      .generate({ model: 'vertex-imagen', prompt: 'a glacier', size: '1024x1024' })
      .withResponse();
    expect(isPng(data.data?.[0]?.b64_json)).toBe(true);
    expect(response.headers.get('x-switchyard-cost-usd')).toBe('0.02');
    const call = vertex.calls.at(-1);
    expect(call?.model).toBe('imagen-4.0-fast-generate-001');
    expect(call?.method).toBe('predict');
    expect(call?.body).toEqual({ instances: [{ prompt: 'a glacier' }], parameters: { sampleCount: 1, aspectRatio: '1:1' } });
  });

  it('generates with Titan on Bedrock (signed InvokeModel): hd is premium, priced by its size class', async () => {
    const { data, response } = await client.images
      .generate({ model: 'titan', prompt: 'a tram', size: '1024x1024', quality: 'hd' })
      .withResponse();
    expect(isPng(data.data?.[0]?.b64_json)).toBe(true);
    expect(response.headers.get('x-switchyard-cost-usd')).toBe('0.012');
    const call = bedrock.calls.at(-1);
    expect(call?.modelId).toBe('amazon.titan-image-generator-v2:0');
    expect(call?.body).toEqual({
      taskType: 'TEXT_IMAGE',
      textToImageParams: { text: 'a tram' },
      imageGenerationConfig: { numberOfImages: 1, quality: 'premium', width: 1024, height: 1024 },
    });
  });

  it('edits on Titan as a prompt-guided variation, and refuses a masked edit naming the mask', async () => {
    const edited = await client.images.edit({
      model: 'titan',
      prompt: 'in winter',
      image: await toFile(PNG, 'in.png', { type: 'image/png' }),
    });
    expect(isPng(edited.data?.[0]?.b64_json)).toBe(true);
    expect(bedrock.calls.at(-1)?.body).toMatchObject({
      taskType: 'IMAGE_VARIATION',
      imageVariationParams: { text: 'in winter', images: [PNG.toString('base64')] },
    });
    const refused = await client.images
      .edit({ model: 'titan', prompt: 'x', image: await toFile(PNG, 'in.png'), mask: await toFile(PNG, 'm.png') })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('mask');
  });
});
