// The in-memory Responses store's byte bound, measured on the heap rather than on its own
// counter: a child process (node --expose-gc) drives the compiled store the way the front door
// does (get the previous response, store the next turn continuing it) with conversations whose
// stored histories add up to many times the bound, collects garbage, and reports how much heap
// the store still holds. The bound is only worth something if what it counts is what stays alive.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { repoRoot } from '../../support/repo-paths.js';

const MIB = 1024 * 1024;
/** The store's byte bound in these runs. */
const CAP = 8 * MIB;
/**
 * What the store may hold on the heap beyond CAP: the bound counts an estimate of V8's sizes
 * that errs high, so the slack covers only the store's own bookkeeping and measuring noise.
 */
const ALLOWED_HEAP = 1.25 * CAP + 2 * MIB;

const storeModule = pathToFileURL(join(repoRoot, 'gateway', 'dist', 'src', 'frontdoors', 'openai-responses', 'response-store.js')).href;

// Runs in the child. Message data comes from JSON.parse, as the gateway's does (request bodies
// and upstream answers), so strings are laid out as they would be in the gateway.
const PROBE = `
const { InMemoryResponseStore } = await import(process.env.STORE_MODULE);
const scenario = process.env.SCENARIO;
const cap = Number(process.env.CAP);
const text = (length, seed) => {
  // One character outside Latin-1 makes V8 keep the whole string at two bytes a character.
  const wide = seed % 2 === 0 ? '\\u20ac' : 'e';
  return (wide + String(seed)).padEnd(length, 'abcdefgh');
};
const turnMessages = (userLength, answerLength, seed) =>
  JSON.parse(JSON.stringify([
    { role: 'user', content: [{ type: 'text', text: text(userLength, seed) }] },
    { role: 'assistant', content: [{ type: 'text', text: text(answerLength, seed + 1) }] },
  ]));

globalThis.gc();
globalThis.gc();
const before = process.memoryUsage().heapUsed;
const store = new InMemoryResponseStore({ maxBytes: cap });
let stored = 0;
const latest = new Map();
const step = async (conversation, userLength, answerLength) => {
  const previousId = latest.get(conversation);
  const previous = previousId === undefined ? undefined : await store.get('k', previousId);
  const id = 'resp_' + conversation + '_' + stored;
  await store.put('k', { id, previous, appended: turnMessages(userLength, answerLength, stored) });
  stored += 1;
  latest.set(conversation, id);
};
if (scenario === 'big-first-turns') {
  // Each round two conversations start with a 1 MiB first turn, then every open conversation
  // gets a small turn: first turns age to the front of the store and are evicted first, while
  // each conversation's newest turn still reaches its first. 40 first turns: 5 times the cap.
  let open = 0;
  for (let round = 0; round < 20; round++) {
    for (let k = 0; k < 2; k++) await step(open++, 512 * 1024, 512 * 1024);
    for (let c = 0; c < open; c++) await step(c, 1000, 1000);
  }
} else {
  // 6 long conversations of 120 turns of 32 KiB each, in rotation: every conversation's
  // history reaches 3.75 MiB, and the histories the store's responses stand for add up to
  // over a hundred times the cap.
  for (let round = 0; round < 120; round++) for (let c = 0; c < 6; c++) await step(c, 16 * 1024, 16 * 1024);
}
latest.clear();
globalThis.gc();
globalThis.gc();
const after = process.memoryUsage().heapUsed;
// The store must still be alive when the heap is read.
console.log(JSON.stringify({ retained: after - before, counted: store.totalBytes, entries: store.size, stored }));
`;

interface ProbeResult {
  retained: number;
  counted: number;
  entries: number;
  stored: number;
}

function probe(scenario: string): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--input-type=module', '-e', PROBE],
      { env: { ...process.env, STORE_MODULE: storeModule, SCENARIO: scenario, CAP: String(CAP) }, maxBuffer: MIB },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`probe failed: ${error.message}\n${stderr}`));
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ProbeResult);
      },
    );
  });
}

describe('in-memory response store: heap held against the byte bound', () => {
  it.each([['big-first-turns'], ['long-conversations']])(
    '%s: the heap the store holds stays within the bound',
    async (scenario) => {
      const result = await probe(scenario);
      expect(result.stored).toBeGreaterThan(100);
      expect(result.counted).toBeLessThanOrEqual(CAP);
      expect(result.retained).toBeLessThanOrEqual(ALLOWED_HEAP);
      // The store kept something: the bound is not met by keeping nothing.
      expect(result.entries).toBeGreaterThan(0);
    },
    60_000,
  );
});
