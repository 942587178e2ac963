// Google's clients may send the key as `?key=` instead of `x-goog-api-key`. The Gemini front door
// accepts it on every Gemini path; a credential header, when present, wins; other front doors do
// not read the query.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { modelFor, startRig, VIRTUAL_KEY, type Rig } from './gemini-front-door-rig.js';

let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
}, 60_000);
afterAll(async () => {
  await rig?.stop();
});

const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'ping' }] }] });

describe('?key= query parameter', () => {
  it('gemini front door x mock provider: generateContent with ?key= only', async () => {
    const response = await fetch(`${rig.gateway.url}/genai/v1beta/models/${modelFor('mock')}:generateContent?key=${VIRTUAL_KEY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { candidates: Array<{ content: { parts: Array<{ text: string }> } }> };
    expect(answer.candidates[0]?.content.parts[0]?.text).toBe('Mock reply to: ping');
  });

  it('gemini front door x mock provider: streamGenerateContent with alt=sse and ?key=', async () => {
    const response = await fetch(
      `${rig.gateway.url}/genai/v1beta/models/${modelFor('mock')}:streamGenerateContent?alt=sse&key=${VIRTUAL_KEY}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const text = await response.text();
    expect(text.startsWith('data: ')).toBe(true);
    expect(text.endsWith('\r\n\r\n')).toBe(true);
  });

  it('gemini front door x mock provider: a wrong x-goog-api-key is not rescued by a right ?key=', async () => {
    const response = await fetch(`${rig.gateway.url}/genai/v1beta/models/${modelFor('mock')}:generateContent?key=${VIRTUAL_KEY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'sk-sy-wrong0123456789abcdefghijklmnopqrstu' },
      body,
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { status: string } }).error.status).toBe('UNAUTHENTICATED');
  });

  it('openai front door: ?key= is not a credential there', async () => {
    const response = await fetch(`${rig.gateway.url}/v1/chat/completions?key=${VIRTUAL_KEY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: modelFor('mock'), messages: [{ role: 'user', content: 'ping' }] }),
    });
    expect(response.status).toBe(401);
  });
});
