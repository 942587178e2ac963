import autocannon from 'autocannon';
const url = process.argv[2];
const body = JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: 'Say hello in five words.' }], max_tokens: 16 });
const run = (d) => new Promise((res, rej) => autocannon({ url, method: 'POST', connections: 32, duration: d, headers: { 'content-type': 'application/json', authorization: 'Bearer sk-sy-bench000000000000000000000000000000' }, body }, (e, r) => e ? rej(e) : res(r)));
await run(2);
const r = await run(8);
console.log(url, Math.round(r.requests.average), 'rps', 'non2xx', r.non2xx, 'errors', r.errors, 'p50ms', r.latency.p50);
