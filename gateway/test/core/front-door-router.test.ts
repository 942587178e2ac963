// The router serves what the front doors declare and answers everything else from the same
// declarations: a 405 with `Allow` when another method is served on the path, a 404 in the
// shape of the front door whose root the path is under, and OpenAI's shape elsewhere.
import { describe, expect, it } from '@jest/globals';
import { createFrontDoorRouter } from '../../src/server/front-door-router.js';
import { createFrontDoorRoutes } from '../../src/server/front-door-routes.js';

const router = createFrontDoorRouter(createFrontDoorRoutes());

function notFoundBody(method: string, path: string): { status: number; body: unknown } {
  const { error, encodeError } = router.notFound(method, path);
  const encoded = encodeError(error);
  return { status: encoded.status, body: JSON.parse(encoded.body) };
}

describe('front-door router', () => {
  it.each([
    ['POST', '/v1/chat/completions', 'chat'],
    ['POST', '/v1/embeddings', 'embeddings'],
    ['POST', '/v1/responses', 'chat'],
    ['GET', '/v1/models', 'list-models'],
    ['HEAD', '/v1/models', 'list-models'],
    ['GET', '/v1/models/gpt%2Fx', 'get-model'],
    ['POST', '/anthropic/v1/messages', 'chat'],
    ['POST', '/anthropic/v1/messages/count_tokens', 'count-tokens'],
    ['GET', '/anthropic/v1/models', 'list-models'],
    ['GET', '/anthropic/v1/models/claude', 'get-model'],
    ['POST', '/genai/v1beta/models/g:generateContent', 'chat'],
    ['POST', '/genai/v1/models/g:countTokens', 'count-tokens'],
    ['GET', '/genai/v1beta/models', 'list-models'],
  ])('%s %s runs %s', (method, path, operation) => {
    expect(router.find(method, path)?.endpoint.operation).toBe(operation);
  });

  it('decodes the model id of get-model paths', () => {
    expect(router.find('GET', '/v1/models/team%2Fmodel')?.match).toEqual({ pathModel: 'team/model' });
  });

  it('answers 405 naming the methods a path is served with, in the front door format', () => {
    expect(notFoundBody('GET', '/v1/chat/completions')).toEqual({
      status: 405,
      body: {
        error: expect.objectContaining({
          message: 'method not allowed: GET /v1/chat/completions (allowed: POST)',
          code: 'method_not_allowed',
        }),
      },
    });
    expect(notFoundBody('POST', '/v1/models')).toEqual({
      status: 405,
      body: { error: expect.objectContaining({ message: 'method not allowed: POST /v1/models (allowed: GET, HEAD)' }) },
    });
    expect(notFoundBody('GET', '/anthropic/v1/messages/count_tokens')).toEqual({
      status: 405,
      body: {
        type: 'error',
        error: { type: 'invalid_request_error', message: 'method not allowed: GET /anthropic/v1/messages/count_tokens (allowed: POST)' },
      },
    });
    expect(notFoundBody('GET', '/genai/v1beta/models/g:generateContent').body).toMatchObject({
      error: {
        code: 405,
        status: 'UNIMPLEMENTED',
        message: 'method not allowed: GET /genai/v1beta/models/g:generateContent (allowed: POST)',
      },
    });
  });

  it('answers unknown paths in the format of the root they are under', () => {
    expect(notFoundBody('POST', '/anthropic/v1/messages/batches').body).toEqual({
      type: 'error',
      error: { type: 'not_found_error', message: 'unknown path: POST /anthropic/v1/messages/batches' },
    });
    expect(notFoundBody('POST', '/genai/v1beta/models/g:predict').body).toMatchObject({
      error: { status: 'NOT_FOUND', message: expect.stringContaining('unknown method in /genai/v1beta/models/g:predict') },
    });
    expect(notFoundBody('GET', '/genai/v2/models').body).toMatchObject({
      error: { status: 'NOT_FOUND', message: 'unknown path: GET /genai/v2/models' },
    });
    expect(notFoundBody('GET', '/nowhere')).toEqual({
      status: 404,
      body: { error: expect.objectContaining({ message: 'unknown path: GET /nowhere', code: 'unknown_url' }) },
    });
  });
});
