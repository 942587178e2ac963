// Chat Completions answers forwarded as the upstream wrote them (the passthrough fast path,
// pipeline/passthrough.ts). The few fields the gateway reads (usage, the answering model) or
// rewrites (`model` becomes the public name the caller asked for, an `id` without OpenAI's
// `chatcmpl-` prefix gets it, as the normal path's encoder does) are found by a scan of the
// bytes, not by a parse of the whole body: structural characters are ASCII, and UTF-8 never
// uses an ASCII byte inside a multi-byte character, so scanning bytes is safe.
import type { Usage } from '@switchyard/compiler';
import { chatCompletionId } from './completion-id.js';
import { usageFromOpenAI } from './openai-usage.js';
import { BACKSLASH, CLOSE_ARRAY, CLOSE_OBJECT, COLON, COMMA, OPEN_ARRAY, OPEN_OBJECT, QUOTE } from '../../common/json-bytes.js';
import { MAX_SSE_EVENT_CHARS, SseEventTooLargeError } from '../sse/index.js';
import type { PassthroughCompletion, PassthroughStreamRewriter as StreamRewriter } from '../../unified/passthrough.js';

const LF = 0x0a;
const CR = 0x0d;

/** One top-level member: its key's opening quote, and its value's [start, end). */
interface Member {
  keyStart: number;
  start: number;
  end: number;
}

/** The top-level members the passthrough reads or rewrites. */
interface TopLevelMembers {
  id?: Member;
  model?: Member;
  usage?: Member;
  choices?: Member;
  error?: Member;
}

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === LF || byte === CR || byte === 0x09;
}

function skipSpace(bytes: Buffer, at: number): number {
  while (at < bytes.length && isSpace(bytes[at])) at++;
  return at;
}

/** The index after the closing quote of the string opening at `at`; -1 when it does not end. */
function stringEnd(bytes: Buffer, at: number): number {
  let from = at + 1;
  for (;;) {
    const quote = bytes.indexOf(QUOTE, from);
    if (quote < 0) return -1;
    let backslashes = 0;
    for (let i = quote - 1; i > at && bytes[i] === BACKSLASH; i--) backslashes++;
    if ((backslashes & 1) === 0) return quote + 1;
    from = quote + 1;
  }
}

/** The index after the JSON value starting at `at`; -1 when it is not one. */
function valueEnd(bytes: Buffer, at: number): number {
  const first = bytes[at];
  if (first === QUOTE) return stringEnd(bytes, at);
  if (first === OPEN_OBJECT || first === OPEN_ARRAY) {
    let depth = 0;
    for (let i = at; i < bytes.length; i++) {
      const byte = bytes[i];
      if (byte === QUOTE) {
        const end = stringEnd(bytes, i);
        if (end < 0) return -1;
        i = end - 1;
      } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) depth++;
      else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return -1;
  }
  let i = at;
  while (i < bytes.length) {
    const byte = bytes[i];
    if (byte === COMMA || byte === CLOSE_OBJECT || byte === CLOSE_ARRAY || isSpace(byte)) break;
    i++;
  }
  return i > at ? i : -1;
}

/** The members of the top-level object that matter here; undefined when `bytes` is not one JSON object. */
function topLevelMembers(bytes: Buffer): TopLevelMembers | undefined {
  let i = skipSpace(bytes, 0);
  if (bytes[i] !== OPEN_OBJECT) return undefined;
  i = skipSpace(bytes, i + 1);
  const members: TopLevelMembers = {};
  if (bytes[i] === CLOSE_OBJECT) return skipSpace(bytes, i + 1) === bytes.length ? members : undefined;
  for (;;) {
    if (bytes[i] !== QUOTE) return undefined;
    const keyStart = i;
    const keyEnd = stringEnd(bytes, i);
    if (keyEnd < 0) return undefined;
    const keyLength = keyEnd - keyStart - 2;
    // Only the keys of interest become strings (lengths 2, 5 and 7).
    const key = keyLength === 2 || keyLength === 5 || keyLength === 7 ? bytes.toString('latin1', keyStart + 1, keyEnd - 1) : '';
    i = skipSpace(bytes, keyEnd);
    if (bytes[i] !== COLON) return undefined;
    i = skipSpace(bytes, i + 1);
    const end = valueEnd(bytes, i);
    if (end < 0) return undefined;
    if (key === 'id' || key === 'model' || key === 'usage' || key === 'choices' || key === 'error')
      members[key] = { keyStart, start: i, end };
    i = skipSpace(bytes, end);
    if (bytes[i] === COMMA) {
      i = skipSpace(bytes, i + 1);
      continue;
    }
    if (bytes[i] === CLOSE_OBJECT) return skipSpace(bytes, i + 1) === bytes.length ? members : undefined;
    return undefined;
  }
}

function stringValue(bytes: Buffer, member: Member | undefined): string | undefined {
  if (member === undefined || bytes[member.start] !== QUOTE) return undefined;
  return JSON.parse(bytes.toString('utf8', member.start, member.end)) as string;
}

/**
 * Reads a 2xx Chat Completions answer without parsing it whole. Undefined when the body is not
 * the expected shape (no `choices` array, no `usage` object, no `id` or `model` string): the
 * caller then decodes it the normal way, which classifies a malformed answer as it always did.
 */
export function readPassthroughCompletion(bytes: Buffer, requestedModel: string): PassthroughCompletion | undefined {
  const members = topLevelMembers(bytes);
  if (members?.choices === undefined || members.usage === undefined || members.id === undefined || members.model === undefined)
    return undefined;
  if (bytes[members.choices.start] !== OPEN_ARRAY || bytes[members.usage.start] !== OPEN_OBJECT) return undefined;
  const id = stringValue(bytes, members.id);
  const model = stringValue(bytes, members.model);
  if (id === undefined || model === undefined) return undefined;
  const usage = usageFromOpenAI(JSON.parse(bytes.toString('utf8', members.usage.start, members.usage.end)));
  const edits: Array<{ start: number; end: number; text: string }> = [];
  const callerId = chatCompletionId(id);
  if (callerId !== id) edits.push({ start: members.id.start, end: members.id.end, text: JSON.stringify(callerId) });
  if (model !== requestedModel) edits.push({ start: members.model.start, end: members.model.end, text: JSON.stringify(requestedModel) });
  if (edits.length === 0) return { body: bytes, usage, model };
  edits.sort((a, b) => a.start - b.start);
  const parts: Buffer[] = [];
  let at = 0;
  for (const edit of edits) {
    parts.push(bytes.subarray(at, edit.start), Buffer.from(edit.text));
    at = edit.end;
  }
  parts.push(bytes.subarray(at));
  return { body: Buffer.concat(parts), usage, model };
}

const DATA = Buffer.from('data:');
const USAGE_KEY = Buffer.from('"usage"');
const ERROR_KEY = Buffer.from('"error"');
const DONE = Buffer.from('[DONE]');
const FINISH_KEY = Buffer.from('"finish_reason"');

/** A byte pattern in every event and what replaces it. */
interface Rewrite {
  pattern: Buffer;
  replacement: Buffer | undefined;
}

/**
 * A same-dialect Chat Completions stream, forwarded chunk by chunk: the output is views of the
 * upstream's buffers with the per-event rewrites spliced in, never a decode and encode of the
 * events. Whole events only go out (a partial one waits for its end, bounded by
 * MAX_SSE_EVENT_CHARS), so a rewrite never straddles two writes. The usage is read from the
 * last event of a batch that carries a `usage` object: one small parse per stream.
 */
export class PassthroughStreamRewriter implements StreamRewriter {
  /** What the upstream reported in its usage chunk; undefined until it arrives. */
  usage: Usage | undefined;
  /** The model the upstream says answered (from the first event). */
  model: string | undefined;
  /**
   * Whether the last batch may hold an error object: an unescaped `"error"` token (one scan per
   * batch). The normal path decodes every event, so an error event fails the attempt before the
   * stream begins (and is retried) or ends it with the gateway's error event after; the caller
   * of the rewriter hands such a batch to the adapter's decoder to do the same.
   */
  batchMayHoldError = false;
  /** Whether the stream has said it is complete: a `finish_reason` or `data: [DONE]` (a stream cut before either is broken). */
  completed = false;
  /** Whether the bytes so far held an SSE `data:` line (a stream that never does is no stream). */
  sawEvent = false;
  /** Events forwarded so far, and their bytes beyond a bare envelope (an estimate of the streamed output). */
  events = 0;
  contentBytes = 0;
  private rewrites: Rewrite[] | undefined;
  private envelopeBytes = 0;
  private carry: Buffer[] = [];
  private carryBytes = 0;

  constructor(
    private readonly requestedModel: string,
    /** `stream_options.include_usage` as the caller sent it: without it the usage chunk (asked for by the gateway) is not forwarded. */
    private readonly includeUsage: boolean,
  ) {}

  /** The bytes to write for one upstream chunk (possibly none, while an event is incomplete). */
  push(chunk: Buffer): Buffer[] {
    const cut = eventsEnd(chunk, this.carry);
    if (cut < 0) {
      this.carry.push(chunk);
      this.carryBytes += chunk.length;
      if (this.carryBytes > MAX_SSE_EVENT_CHARS) throw new SseEventTooLargeError(MAX_SSE_EVENT_CHARS);
      return [];
    }
    let complete: Buffer;
    if (this.carry.length === 0) complete = cut === chunk.length ? chunk : chunk.subarray(0, cut);
    else {
      complete = Buffer.concat([...this.carry, chunk.subarray(0, cut)]);
      this.carry = [];
      this.carryBytes = 0;
    }
    if (cut < chunk.length) {
      this.carry.push(chunk.subarray(cut));
      this.carryBytes = chunk.length - cut;
    }
    return this.forward(complete);
  }

  /** What is left at the end of the upstream's stream (an event without its closing blank line). */
  end(): Buffer[] {
    if (this.carry.length === 0) return [];
    const rest = Buffer.concat(this.carry);
    this.carry = [];
    return this.forward(rest);
  }

  private forward(complete: Buffer): Buffer[] {
    let rewrites = this.rewrites;
    if (rewrites === undefined) {
      // Learned from the first event; comments and keep-alives before it teach nothing.
      rewrites = this.learn(complete);
      if (this.sawEvent) this.rewrites = rewrites;
    }
    this.batchMayHoldError = complete.includes(ERROR_KEY);
    if (!this.completed) this.completed = hasDone(complete) || hasFinishReason(complete);
    this.readUsage(complete);
    let drop: { start: number; end: number } | undefined;
    if (!this.includeUsage && this.usageEvent !== undefined) drop = this.usageEvent;
    const out: Buffer[] = [];
    if (drop === undefined) this.splice(complete, 0, complete.length, rewrites, out);
    else {
      this.splice(complete, 0, drop.start, rewrites, out);
      this.splice(complete, drop.end, complete.length, rewrites, out);
    }
    return out;
  }

  /** The event holding the usage in the last batch, when there was one. */
  private usageEvent: { start: number; end: number } | undefined;

  private readUsage(complete: Buffer): void {
    this.usageEvent = undefined;
    const key = complete.lastIndexOf(USAGE_KEY);
    if (key < 0) return;
    let i = skipSpace(complete, key + USAGE_KEY.length);
    if (complete[i] !== COLON) return;
    i = skipSpace(complete, i + 1);
    if (complete[i] !== OPEN_OBJECT) return;
    // The event's line, from its start: `data:` text inside an answer must not be taken for it.
    const lineStart = complete.lastIndexOf(LF, key) + 1;
    if (!complete.subarray(lineStart, lineStart + DATA.length).equals(DATA)) return;
    let lineEnd = complete.indexOf(LF, key);
    if (lineEnd < 0) lineEnd = complete.length;
    const data = complete.toString('utf8', lineStart + DATA.length, lineEnd);
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || !('usage' in parsed)) return;
    this.usage = usageFromOpenAI(parsed.usage);
    // The event runs to its blank line; a usage chunk with choices still carries answer text and is kept.
    const choices = (parsed as { choices?: unknown }).choices;
    if (Array.isArray(choices) && choices.length > 0) return;
    let eventEnd = lineEnd;
    while (eventEnd < complete.length && (complete[eventEnd] === LF || complete[eventEnd] === CR)) eventEnd++;
    this.usageEvent = { start: lineStart, end: eventEnd };
  }

  /** Reads the first event: the model to rewrite in every event, and whether it is an error. */
  private learn(complete: Buffer): Rewrite[] {
    const dataAt = complete.indexOf(DATA);
    if (dataAt < 0) return [];
    this.sawEvent = true;
    let lineEnd = complete.indexOf(LF, dataAt);
    if (lineEnd < 0) lineEnd = complete.length;
    const json = complete.subarray(skipSpace(complete, dataAt + DATA.length), lineEnd);
    const members = topLevelMembers(json.subarray(0, trimEnd(json)));
    if (members === undefined) return [];
    let eventEnd = lineEnd;
    while (eventEnd < complete.length && (complete[eventEnd] === LF || complete[eventEnd] === CR)) eventEnd++;
    const rewrites: Rewrite[] = [];
    const model = stringValue(json, members.model);
    if (model !== undefined && members.model !== undefined) {
      this.model = model;
      rewrites.push({
        pattern: Buffer.from(json.subarray(members.model.keyStart, members.model.end)),
        replacement: model === this.requestedModel ? undefined : Buffer.from(`"model":${JSON.stringify(this.requestedModel)}`),
      });
      // What a bare event weighs (the first is the role chunk: all envelope), for the output estimate.
      this.envelopeBytes = eventEnd - dataAt;
    }
    const id = stringValue(json, members.id);
    if (id !== undefined && members.id !== undefined) {
      const callerId = chatCompletionId(id);
      if (callerId !== id)
        rewrites.push({
          pattern: Buffer.from(json.subarray(members.id.keyStart, members.id.end)),
          replacement: Buffer.from(`"id":${JSON.stringify(callerId)}`),
        });
    }
    return rewrites;
  }

  /** Appends bytes [from, to) of `complete` to `out`, with each rewrite's pattern replaced. */
  private splice(complete: Buffer, from: number, to: number, rewrites: Rewrite[], out: Buffer[]): void {
    if (from >= to) return;
    const counter = rewrites[0];
    if (counter === undefined) {
      out.push(from === 0 && to === complete.length ? complete : complete.subarray(from, to));
      return;
    }
    let at = from;
    let events = 0;
    // Every event names its model once, so the first rewrite's matches also count the events.
    const next = rewrites.map((rewrite) => complete.indexOf(rewrite.pattern, at));
    for (;;) {
      let which = -1;
      for (let r = 0; r < next.length; r++) {
        const found = next[r] as number;
        if (found >= 0 && found < to && (which < 0 || found < (next[which] as number))) which = r;
      }
      if (which < 0) break;
      const rewrite = rewrites[which] as Rewrite;
      const found = next[which] as number;
      if (which === 0) events++;
      if (rewrite.replacement !== undefined) {
        if (found > at) out.push(complete.subarray(at, found));
        out.push(rewrite.replacement);
        at = found + rewrite.pattern.length;
      }
      next[which] = complete.indexOf(rewrite.pattern, found + rewrite.pattern.length);
    }
    if (at < to) out.push(at === 0 && to === complete.length ? complete : complete.subarray(at, to));
    this.events += events;
    this.contentBytes += Math.max(0, to - from - events * this.envelopeBytes);
  }
}

/** Whether `bytes` hold the end marker as an event (a `data: [DONE]` line), not as text inside one. */
function hasDone(bytes: Buffer): boolean {
  for (let at = bytes.indexOf(DONE); at >= 0; at = bytes.indexOf(DONE, at + DONE.length)) {
    let i = at - 1;
    while (i >= 0 && bytes[i] === 0x20) i--;
    const lineStart = i - DATA.length + 1;
    if (lineStart < 0 || !bytes.subarray(lineStart, i + 1).equals(DATA)) continue;
    // The event's own line: `data:` at the start of a line, not inside an event's text.
    if (lineStart === 0 || bytes[lineStart - 1] === LF || bytes[lineStart - 1] === CR) return true;
  }
  return false;
}

/** Whether some event in `bytes` has a string `finish_reason` (not null). */
function hasFinishReason(bytes: Buffer): boolean {
  for (let key = bytes.indexOf(FINISH_KEY); key >= 0; key = bytes.indexOf(FINISH_KEY, key + FINISH_KEY.length)) {
    let i = skipSpace(bytes, key + FINISH_KEY.length);
    if (bytes[i] !== COLON) continue;
    i = skipSpace(bytes, i + 1);
    if (bytes[i] === QUOTE) return true;
  }
  return false;
}

function trimEnd(bytes: Buffer): number {
  let end = bytes.length;
  while (end > 0 && isSpace(bytes[end - 1])) end--;
  return end;
}

/**
 * Where the complete events of `chunk` end (the index after the last blank line), or -1 when
 * none ends in it. A blank line split across the previous chunk and this one is found too.
 */
function eventsEnd(chunk: Buffer, carry: readonly Buffer[]): number {
  const lf = chunk.lastIndexOf('\n\n');
  const crlf = chunk.lastIndexOf('\r\n\r\n');
  const end = Math.max(lf < 0 ? -1 : lf + 2, crlf < 0 ? -1 : crlf + 4);
  if (end >= 0) return end;
  const last = carry[carry.length - 1];
  if (last === undefined || last.length === 0 || chunk.length === 0) return -1;
  // A blank line across the seam: "\n" | "\n", "\r\n" | "\r\n", "\r\n\r" | "\n", "\n\r" ... kept to the common two.
  if (last[last.length - 1] === LF && (chunk[0] === LF || (chunk[0] === CR && chunk[1] === LF))) return chunk[0] === LF ? 1 : 2;
  return -1;
}
