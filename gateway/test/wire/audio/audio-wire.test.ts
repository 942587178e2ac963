// The audio wire pieces on their own: the form decoder's refusals, the multipart re-encoding
// (read back by the platform's parser), usage from each answer format, and the SSE usage scanner
// across chunk boundaries and past long audio lines.
import { describe, expect, it } from '@jest/globals';
import type { UnifiedTranscriptionRequest } from '../../../src/unified/audio.js';
import {
  decodeSpeechRequest,
  decodeTranscriptionRequest,
  encodeTranscriptionMultipart,
  estimateAudioUsage,
  SseUsageScanner,
  transcriptionUsage,
} from '../../../src/wire/audio/index.js';

function form(entries: Array<[string, string | File]>): FormData {
  const data = new FormData();
  for (const [name, value] of entries) data.append(name, value);
  return data;
}

const audioFile = (bytes = 'abc', name = 'a.mp3'): File => new File([Buffer.from(bytes)], name, { type: 'audio/mpeg' });

async function decoded(entries: Array<[string, string | File]>): Promise<UnifiedTranscriptionRequest> {
  return decodeTranscriptionRequest(form(entries), 'transcriptions');
}

describe('decodeTranscriptionRequest', () => {
  it('keeps every other field in order and bounds the duration by the upload size', async () => {
    const request = await decoded([
      ['model', 'm'],
      ['file', audioFile('x'.repeat(4001))],
      ['language', 'de'],
      ['timestamp_granularities[]', 'word'],
      ['timestamp_granularities[]', 'segment'],
    ]);
    expect(request.fields).toEqual([
      ['language', 'de'],
      ['timestamp_granularities[]', 'word'],
      ['timestamp_granularities[]', 'segment'],
    ]);
    expect(request.durationBoundSeconds).toBe(3);
    expect(Buffer.from(request.file.bytes).toString()).toBe('x'.repeat(4001));
  });

  it.each([
    ['no model', [['file', audioFile()]], 'model'],
    ['no file', [['model', 'm']], 'file'],
    [
      'an empty file',
      [
        ['model', 'm'],
        ['file', audioFile('')],
      ],
      'file',
    ],
    [
      'a second file',
      [
        ['model', 'm'],
        ['file', audioFile()],
        ['prompt', audioFile()],
      ],
      'prompt',
    ],
    [
      'an unknown format',
      [
        ['model', 'm'],
        ['file', audioFile()],
        ['response_format', 'xml'],
      ],
      'response_format',
    ],
    [
      'a non-boolean stream',
      [
        ['model', 'm'],
        ['file', audioFile()],
        ['stream', 'yes'],
      ],
      'stream',
    ],
  ] as Array<[string, Array<[string, string | File]>, string]>)('refuses %s naming the field', async (_name, entries, param) => {
    await expect(decoded(entries)).rejects.toMatchObject({ kind: 'invalid_request', param });
  });

  it('refuses stream on translations', async () => {
    await expect(
      decodeTranscriptionRequest(
        form([
          ['model', 'm'],
          ['file', audioFile()],
          ['stream', 'true'],
        ]),
        'translations',
      ),
    ).rejects.toMatchObject({
      param: 'stream',
    });
  });
});

describe('decodeSpeechRequest', () => {
  it('defaults to mp3 audio and refuses an unknown stream_format', () => {
    expect(decodeSpeechRequest({ model: 'm', input: 'hi', voice: 'alloy' })).toMatchObject({
      responseFormat: 'mp3',
      streamFormat: 'audio',
    });
    expect(() => decodeSpeechRequest({ model: 'm', input: 'hi', voice: 'alloy', stream_format: 'ws' })).toThrow(/stream_format/);
    expect(() => decodeSpeechRequest({ model: 'm', input: '', voice: 'alloy' })).toThrow(/input/);
  });
});

describe('encodeTranscriptionMultipart', () => {
  it('re-encodes the fields and the file so the platform parser reads them back, names escaped', async () => {
    const request = await decoded([
      ['model', 'caller-model'],
      ['file', audioFile('\r\n--not-a-boundary\r\n', 'we"ird\r\nname.mp3')],
      ['prompt', 'line one\r\nline two'],
    ]);
    const { contentType, body } = encodeTranscriptionMultipart(request, 'upstream-model');
    const back = await new Request('http://x/', { method: 'POST', headers: { 'content-type': contentType }, body }).formData();
    expect(back.get('model')).toBe('upstream-model');
    expect(back.get('prompt')).toBe('line one\r\nline two');
    const file = back.get('file') as File;
    expect(Buffer.from(await file.arrayBuffer()).toString()).toBe('\r\n--not-a-boundary\r\n');
    // escaped on the wire (RFC 7578 4.2), so the parser gives the name back as it was
    expect(file.name).toBe('we"ird\r\nname.mp3');
    expect(file.type).toBe('audio/mpeg');
    const azure = encodeTranscriptionMultipart(request, undefined);
    const azureBack = await new Request('http://x/', {
      method: 'POST',
      headers: { 'content-type': azure.contentType },
      body: azure.body,
    }).formData();
    expect(azureBack.get('model')).toBeNull();
  });
});

describe('transcriptionUsage', () => {
  const request = { audio: 'transcriptions', durationBoundSeconds: 50 } as UnifiedTranscriptionRequest;
  const usage = (contentType: string, body: string, unit: 'second' | 'token' = 'second') =>
    transcriptionUsage(request, unit, contentType, Buffer.from(body));

  it('reads each format', () => {
    expect(usage('application/json', '{"text":"a","usage":{"type":"duration","seconds":7.2}}')).toEqual({
      unit: 'second',
      input: 8,
      output: 0,
      estimated: false,
    });
    expect(usage('application/json', '{"text":"a","duration":3.5}')).toMatchObject({ input: 4, estimated: false });
    expect(usage('text/plain', '1\n00:00:00,000 --> 00:00:02,500\na\n\n2\n00:01:02,000 --> 00:01:05,250\nb\n')).toMatchObject({
      input: 66,
    });
    expect(usage('text/plain', 'WEBVTT\n\n00:00:00.000 --> 01:00:00.001\na\n')).toMatchObject({ input: 3601 });
    expect(usage('application/json', '{"text":"a","usage":{"type":"tokens","input_tokens":9,"output_tokens":2}}', 'token')).toEqual({
      unit: 'token',
      input: 9,
      output: 2,
      estimated: false,
    });
  });

  it('falls back to the bound when the answer says nothing', () => {
    expect(usage('text/plain', 'just text')).toEqual({ unit: 'second', input: 50, output: 0, estimated: true });
    expect(usage('application/json', '{"text":"a"}', 'token')).toEqual(estimateAudioUsage(request, 'token'));
  });
});

describe('SseUsageScanner', () => {
  it('finds the done event usage split across chunks, skipping audio lines longer than it keeps', () => {
    const scanner = new SseUsageScanner('token');
    const stream = Buffer.from(
      `data: {"type":"speech.audio.delta","audio":"${'A'.repeat(200_000)}"}\n\n` +
        'data: {"type":"speech.audio.done","usage":{"input_tokens":5,"output_tokens":70,"total_tokens":75}}\n\n',
    );
    for (let at = 0; at < stream.length; at += 1000) scanner.push(stream.subarray(at, at + 1000));
    expect(scanner.usage()).toEqual({ unit: 'token', input: 5, output: 70, estimated: false });
  });

  it('reports nothing for a stream without a done event', () => {
    const scanner = new SseUsageScanner('token');
    scanner.push(Buffer.from('data: {"type":"transcript.text.delta","delta":"hi"}\n\n'));
    expect(scanner.usage()).toBeUndefined();
  });
});
