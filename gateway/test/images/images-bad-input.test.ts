// Bad image requests are refused by the gateway process with a 400 in OpenAI's error shape whose
// `param` names the field, before anything is sent upstream; an edit larger than the body limit
// (--max-body-bytes, the upload bound) is refused with a 413 naming the limit.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI, { toFile } from 'openai';
import { documents, errorOf, keyObjects, openAIClient, postJson, routeObject, testKey } from '../core/core-fixtures.js';
import { startImagesMockServer, type ImagesMockServer } from '../mocks/images-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { imagesSecret, openAIImageBackend, PNG } from './image-upstreams.js';

const key = testKey('imagesbadinput');
const MAX_BODY_BYTES = 64 * 1024;

describe('images bad input', () => {
  let upstream: ImagesMockServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startImagesMockServer();
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          imagesSecret,
          routeObject({ name: 'img', backends: [openAIImageBackend('oa', 'gpt-image-1', upstream.url)] }),
          ...keyObjects({ name: 'app', key }),
        ),
      },
      args: ['--max-body-bytes', String(MAX_BODY_BYTES)],
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it.each([
    ['model', { prompt: 'a cat' }, "Missing required parameter: 'model'"],
    ['prompt', { model: 'img' }, "Missing required parameter: 'prompt'"],
    ['prompt', { model: 'img', prompt: 42 }, "'prompt' must be a string"],
    ['n', { model: 'img', prompt: 'a cat', n: 11 }, "'n' must be between 1 and 10, got 11"],
    ['n', { model: 'img', prompt: 'a cat', n: 1.5 }, "'n' must be an integer"],
    ['size', { model: 'img', prompt: 'a cat', size: 'huge' }, "'size' must be 'auto' or WIDTHxHEIGHT"],
    ['response_format', { model: 'img', prompt: 'a cat', response_format: 'png' }, "'response_format' must be one of 'url', 'b64_json'"],
    ['output_compression', { model: 'img', prompt: 'a cat', output_compression: 101 }, "'output_compression' must be between 0 and 100"],
    ['stream', { model: 'img', prompt: 'a cat', stream: true }, "'stream' is not supported for images"],
  ])('refuses a generation with a bad %s', async (param, body, message) => {
    const before = upstream.calls.length;
    const answer = await postJson(gateway, '/v1/images/generations', key, body);
    expect(answer.status).toBe(400);
    expect(errorOf(answer.json).param).toBe(param);
    expect(errorOf(answer.json).message).toContain(message);
    expect(upstream.calls.length).toBe(before);
  });

  it('refuses an edit without an image, naming the field', async () => {
    const form = new FormData();
    form.append('model', 'img');
    form.append('prompt', 'a cat');
    const response = await fetch(`${gateway.url}/v1/images/edits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: form,
    });
    expect(response.status).toBe(400);
    const error = errorOf(await response.json());
    expect(error.param).toBe('image');
    expect(error.message).toBe("Missing required parameter: 'image'");
  });

  it('refuses an edit whose image is a text field, and an edit sent as JSON', async () => {
    const form = new FormData();
    form.append('model', 'img');
    form.append('prompt', 'a cat');
    form.append('image', 'not a file');
    const text = await fetch(`${gateway.url}/v1/images/edits`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: form });
    expect(text.status).toBe(400);
    expect(errorOf(await text.json()).message).toBe("'image' must be a file upload, not a text field");
    const json = await postJson(gateway, '/v1/images/edits', key, { model: 'img', prompt: 'a cat' });
    expect(json.status).toBe(400);
    expect(errorOf(json.json).param).toBe('content-type');
  });

  it('refuses an edit larger than --max-body-bytes with 413 naming the limit, sending nothing', async () => {
    const before = upstream.calls.length;
    const big = Buffer.concat([PNG, Buffer.alloc(MAX_BODY_BYTES)]);
    const error = await openAIClient(gateway, key)
      .images.edit({ model: 'img', prompt: 'a cat', image: await toFile(big, 'big.png', { type: 'image/png' }) })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain(`${MAX_BODY_BYTES}-byte limit (--max-body-bytes)`);
    expect(upstream.calls.length).toBe(before);
  });

  it('accepts an edit under the limit', async () => {
    const answer = await openAIClient(gateway, key).images.edit({
      model: 'img',
      prompt: 'a cat',
      image: await toFile(PNG, 'ok.png', { type: 'image/png' }),
    });
    expect(answer.data).toHaveLength(1);
  });
});
