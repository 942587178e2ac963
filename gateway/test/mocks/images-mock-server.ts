// Image APIs for tests, on 127.0.0.1, each speaking its provider's wire format and recording what
// it was sent:
//   OpenAI        POST /v1/images/generations (JSON) and /v1/images/edits (multipart), Bearer key
//   Azure OpenAI  POST /openai/deployments/{d}/images/{generations|edits}?api-version=..., `api-key`
//                 header, no `model` in the body (the deployment names it)
//   Gemini API    POST /v1beta/models/{imagen model}:predict, `x-goog-api-key` (Imagen's body)
// OpenAI's rules that the gateway must respect are enforced as OpenAI does: `prompt` required,
// GPT Image models refuse `response_format` and answer base64 with token `usage`, DALL-E 3 takes
// n = 1 only, an edit needs an `image` file part. Every image is the same tiny PNG.

import type { ServerResponse } from 'node:http';
import { startMockHttpServer, type MockHttpServer, type RecordedRequest } from '../support/mock-http-server.js';

export const IMAGES_MOCK_API_KEY = 'images-upstream-secret';

/** A 1x1 PNG (the signature, IHDR, IDAT and IEND chunks): what every mock image is. */
export const TINY_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

interface ImageUpstreamCall {
  dialect: 'openai' | 'azure' | 'gemini';
  operation: 'generations' | 'edits' | 'predict';
  url: string;
  /** The JSON body, or the multipart form's text fields. */
  fields: Record<string, unknown>;
  /** Multipart file parts: field name, file name, content type and size. */
  files: Array<{ field: string; filename: string; type: string; size: number }>;
}

export interface ImagesMockServer {
  url: string;
  calls: ImageUpstreamCall[];
  /** Status to answer with instead of images (a failing backend). */
  failWith: number | undefined;
  /** GPT Image usage to report instead of the default ({input 50 (10 text, 40 image), output 4160}). */
  usage: { input_tokens: number; output_tokens: number; text_tokens: number; image_tokens: number } | undefined;
  close(): Promise<void>;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function openAIError(res: ServerResponse, status: number, message: string, param: string | null): void {
  reply(res, status, { error: { message, type: 'invalid_request_error', param, code: null } });
}

async function readForm(request: RecordedRequest): Promise<{ fields: Record<string, unknown>; files: ImageUpstreamCall['files'] }> {
  const form = await new Response(request.body, { headers: { 'content-type': String(request.headers['content-type']) } }).formData();
  const fields: Record<string, unknown> = {};
  const files: ImageUpstreamCall['files'] = [];
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') fields[name] = value;
    else files.push({ field: name, filename: value.name, type: value.type, size: value.size });
  }
  return { fields, files };
}

export async function startImagesMockServer(): Promise<ImagesMockServer> {
  const mock: ImagesMockServer = {
    url: '',
    calls: [],
    failWith: undefined,
    usage: undefined,
    close: async () => undefined,
  };
  const server: MockHttpServer = await startMockHttpServer(async (request, res) => {
    const url = new URL(request.url, 'http://mock');
    const openai = /^\/v1\/images\/(generations|edits)$/.exec(url.pathname);
    const azure = /^\/openai\/deployments\/([^/]+)\/images\/(generations|edits)$/.exec(url.pathname);
    const gemini = /^\/v1beta\/models\/([^/:]+):predict$/.exec(url.pathname);
    if (request.method !== 'POST' || (openai === null && azure === null && gemini === null))
      return reply(res, 404, { error: { message: `no route ${request.method} ${request.url}` } });

    if (gemini !== null) {
      if (request.headers['x-goog-api-key'] !== IMAGES_MOCK_API_KEY)
        return reply(res, 400, {
          error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT' },
        });
      const body = request.json as { instances?: Array<{ prompt?: unknown }>; parameters?: { sampleCount?: unknown } } | undefined;
      mock.calls.push({
        dialect: 'gemini',
        operation: 'predict',
        url: request.url,
        fields: (body ?? {}) as Record<string, unknown>,
        files: [],
      });
      if (mock.failWith !== undefined)
        return reply(res, mock.failWith, { error: { code: mock.failWith, message: 'unwell', status: 'UNAVAILABLE' } });
      if (typeof body?.instances?.[0]?.prompt !== 'string')
        return reply(res, 400, { error: { code: 400, message: 'instances[0].prompt is required.', status: 'INVALID_ARGUMENT' } });
      const count = typeof body.parameters?.sampleCount === 'number' ? body.parameters.sampleCount : 4;
      return reply(res, 200, {
        predictions: Array.from({ length: count }, () => ({ bytesBase64Encoded: TINY_PNG_BASE64, mimeType: 'image/png' })),
      });
    }

    const dialect = openai !== null ? 'openai' : 'azure';
    const operation = (openai?.[1] ?? azure?.[2]) as 'generations' | 'edits';
    if (dialect === 'openai' && request.headers.authorization !== `Bearer ${IMAGES_MOCK_API_KEY}`)
      return openAIError(res, 401, 'Incorrect API key provided.', null);
    if (dialect === 'azure') {
      if (request.headers['api-key'] !== IMAGES_MOCK_API_KEY)
        return reply(res, 401, { error: { code: '401', message: 'Access denied due to invalid subscription key.' } });
      if (url.searchParams.get('api-version') === null) return reply(res, 404, { error: { code: '404', message: 'Resource not found' } });
    }
    let fields: Record<string, unknown>;
    let files: ImageUpstreamCall['files'] = [];
    if (operation === 'edits') {
      if (!String(request.headers['content-type']).startsWith('multipart/form-data'))
        return openAIError(res, 400, 'Invalid Content-Type header, expected multipart/form-data.', null);
      ({ fields, files } = await readForm(request));
      for (const key of ['n']) if (typeof fields[key] === 'string') fields[key] = Number(fields[key]);
    } else {
      if (typeof request.json !== 'object' || request.json === null)
        return openAIError(res, 400, 'We could not parse the JSON body.', null);
      fields = request.json as Record<string, unknown>;
    }
    mock.calls.push({ dialect, operation, url: request.url, fields, files });
    if (mock.failWith !== undefined) return openAIError(res, mock.failWith, 'The server had an error.', null);
    const model = dialect === 'azure' ? decodeURIComponent(azure?.[1] ?? '') : String(fields.model ?? 'dall-e-2');
    if (dialect === 'azure' && fields.model !== undefined)
      return openAIError(res, 400, 'Unrecognized request argument supplied: model', 'model');
    if (typeof fields.prompt !== 'string' || fields.prompt === '')
      return openAIError(res, 400, "Missing required parameter: 'prompt'.", 'prompt');
    if (operation === 'edits' && !files.some((f) => f.field === 'image' || f.field === 'image[]'))
      return openAIError(res, 400, "Missing required parameter: 'image'.", 'image');
    const gptImage = model.startsWith('gpt-image');
    if (gptImage && fields.response_format !== undefined)
      return openAIError(res, 400, "Unknown parameter: 'response_format'.", 'response_format');
    const n = typeof fields.n === 'number' ? fields.n : 1;
    if (model.startsWith('dall-e-3') && n !== 1) return openAIError(res, 400, "Invalid 'n': dall-e-3 only supports n=1.", 'n');
    const url0 = fields.response_format === 'url';
    const data = Array.from({ length: n }, (_, i) =>
      url0
        ? { url: `https://images.example.test/${model}/${i}.png` }
        : { b64_json: TINY_PNG_BASE64, ...(model.startsWith('dall-e-3') ? { revised_prompt: `revised: ${String(fields.prompt)}` } : {}) },
    );
    const answer: Record<string, unknown> = { created: 1_713_833_628, data };
    if (gptImage) {
      const u = mock.usage ?? { input_tokens: 50, output_tokens: 4160, text_tokens: 10, image_tokens: 40 };
      Object.assign(answer, {
        background: 'opaque',
        output_format: 'png',
        size: typeof fields.size === 'string' ? fields.size : '1024x1024',
        quality: typeof fields.quality === 'string' ? fields.quality : 'high',
        usage: {
          total_tokens: u.input_tokens + u.output_tokens,
          input_tokens: u.input_tokens,
          output_tokens: u.output_tokens,
          input_tokens_details: { text_tokens: u.text_tokens, image_tokens: u.image_tokens },
        },
      });
    }
    return reply(res, 200, answer);
  });
  mock.url = server.url;
  mock.close = () => server.close();
  return mock;
}
