// What counting a prompt costs per request, in process, for Budget `reservation: Tokenized`
// against the Strict byte bound: one user message of English prose (and of random base64, the
// slowest case for a BPE tokenizer) at 1k, 10k and 100k characters, for OpenAI's o200k_base
// (gpt-tokenizer) and for a ratio family. The tokenizer is loaded before timing; its one-time
// load is reported on its own. Each text is new (a counter in it), so the tokenizer's merge
// cache cannot answer from an earlier identical run.
// Usage: npm run build && node bench/prompt-token-count.mjs   (BENCH_ITERATIONS)
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = (path) => join(here, '..', 'gateway', 'dist', 'src', path);
const { estimateChatPromptTokens } = await import(dist('governance/cost/estimate-prompt-tokens.js'));
const { tokenizedPromptTokens } = await import(dist('governance/cost/tokenized-prompt-tokens.js'));

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 30);
const SIZES = [1_000, 10_000, 100_000];
const WORDS =
  'the committee reviewed quarterly budget hiring plan travel policy before vote members raised concerns about rising infrastructure costs chair asked each team explain spending next meeting gateway request tokens provider answer'.split(
    ' ',
  );

let seed = 1;
function random() {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
function prose(chars, nonce) {
  let text = `Request ${nonce}. `;
  while (text.length < chars) text += `${WORDS[Math.floor(random() * WORDS.length)]}${random() < 0.1 ? '. ' : ' '}`;
  return text.slice(0, chars);
}
function base64(chars) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let text = '';
  for (let i = 0; i < chars; i++) text += alphabet[Math.floor(random() * alphabet.length)];
  return text;
}
const request = (text) => ({ model: 'm', stream: false, messages: [{ role: 'user', content: [{ type: 'text', text }] }] });

function time(count, make) {
  const samples = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const input = make(i);
    const start = process.hrtime.bigint();
    count(input);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], max: samples[samples.length - 1] };
}

const loadStart = process.hrtime.bigint();
tokenizedPromptTokens(request('warm up'), ['o200k_base']);
console.log(`o200k_base first load: ${(Number(process.hrtime.bigint() - loadStart) / 1e6).toFixed(0)} ms (once per process)`);
console.log('text      chars   strict (bytes)   o200k_base median / max   ratio median / max');
for (const [name, make] of [
  ['prose', prose],
  ['base64', (chars) => base64(chars)],
]) {
  for (const chars of SIZES) {
    const inputs = (i) => request(make(chars, i));
    const strict = time((r) => estimateChatPromptTokens(r), inputs);
    const o200k = time((r) => tokenizedPromptTokens(r, ['o200k_base']), inputs);
    const ratio = time((r) => tokenizedPromptTokens(r, ['anthropic']), inputs);
    console.log(
      `${name.padEnd(8)} ${String(chars).padStart(7)}   ${strict.median.toFixed(3)} ms         ${o200k.median.toFixed(2)} / ${o200k.max.toFixed(2)} ms          ${ratio.median.toFixed(3)} / ${ratio.max.toFixed(3)} ms`,
    );
  }
}
