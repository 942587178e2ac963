// previous_response_id through the running gateway, with two virtual keys: a stored
// conversation continues only under the key that created it, and everything that cannot be
// continued gets OpenAI's 400 `previous_response_not_found`, naming the id.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI, { type APIError } from 'openai';
import { APP_KEY, OTHER_KEY, startResponsesTestBed, type ResponsesTestBed } from './responses-backend-drivers.js';
import { responsesSchemaErrors } from './responses-schema-validator.js';
import { apiRefusal } from '../../core/core-fixtures.js';

let bed: ResponsesTestBed;
let app: OpenAI;
let other: OpenAI;

beforeAll(async () => {
  bed = await startResponsesTestBed();
  const client = (apiKey: string): OpenAI => new OpenAI({ baseURL: `${bed.gateway.url}/v1`, apiKey, maxRetries: 0, timeout: 20_000 });
  app = client(APP_KEY);
  other = client(OTHER_KEY);
}, 60_000);
afterAll(async () => {
  await bed?.close();
});

function expectNotFound(error: APIError, id: string): void {
  expect(error.status).toBe(400);
  expect(error.error).toEqual({
    message: `Previous response with id '${id}' not found.`,
    type: 'invalid_request_error',
    code: 'previous_response_not_found',
    param: 'previous_response_id',
  });
  expect(responsesSchemaErrors('ErrorResponse', { error: error.error })).toEqual([]);
}

describe('responses front door: stored conversations are scoped to the virtual key', () => {
  it('the key that created a response can continue it; another key cannot, even with the id', async () => {
    const first = await app.responses.create({ model: 'resp-mock', input: 'The launch code is swordfish.' });
    const mine = await app.responses.create({ model: 'resp-mock', input: 'Repeat it.', previous_response_id: first.id });
    expect(mine.previous_response_id).toBe(first.id);
    // The mock counts every prompt character, so the history is visible in the usage.
    expect(mine.usage?.input_tokens).toBe(Math.ceil(`The launch code is swordfish.${first.output_text}Repeat it.`.length / 4));

    expectNotFound(
      await apiRefusal(other.responses.create({ model: 'resp-mock', input: 'What was the code?', previous_response_id: first.id })),
      first.id,
    );
  });

  it("the other key's own conversations work for it", async () => {
    const first = await other.responses.create({ model: 'resp-mock', input: 'hello' });
    const second = await other.responses.create({ model: 'resp-mock', input: 'again', previous_response_id: first.id });
    expect(second.status).toBe('completed');
    expectNotFound(await apiRefusal(app.responses.create({ model: 'resp-mock', input: 'x', previous_response_id: first.id })), first.id);
  });

  it('a streamed response can be continued once its stream has ended', async () => {
    const stream = app.responses.stream({ model: 'resp-mock', input: 'stream this' });
    const first = await stream.finalResponse();
    const second = await app.responses.create({ model: 'resp-mock', input: 'and then?', previous_response_id: first.id });
    expect(second.usage?.input_tokens).toBe(Math.ceil(`stream this${first.output_text}and then?`.length / 4));
  });

  it('store: false keeps nothing to continue', async () => {
    const first = await app.responses.create({ model: 'resp-mock', input: 'ephemeral', store: false });
    expect(first).toMatchObject({ store: false });
    expectNotFound(await apiRefusal(app.responses.create({ model: 'resp-mock', input: 'x', previous_response_id: first.id })), first.id);
  });

  it('an unknown id is refused before any upstream call', async () => {
    bed.openai.reset();
    expectNotFound(
      await apiRefusal(app.responses.create({ model: 'resp-openai', input: 'x', previous_response_id: 'resp_doesnotexist' })),
      'resp_doesnotexist',
    );
    expect(bed.openai.chatRequests).toEqual([]);
  });

  it('retrieving a stored response by id is not offered: a clear 404 in OpenAI shape', async () => {
    const first = await app.responses.create({ model: 'resp-mock', input: 'x' });
    const error = await apiRefusal(app.responses.retrieve(first.id));
    expect(error.status).toBe(404);
    expect(responsesSchemaErrors('ErrorResponse', { error: error.error })).toEqual([]);
    expect(error.message).toContain(`/v1/responses/${first.id}`);
  });
});
