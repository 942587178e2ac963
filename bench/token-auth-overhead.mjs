// What a caller's own token (VirtualKey spec.subjects) costs per request against a key's secret:
//  1. in process: the authenticate stage (identifyKey) for a secret key, an RS256 token (what
//     Kubernetes ServiceAccount tokens and most OIDC issuers use) and an ES256 token, the issuer's
//     keys already cached (the steady state: they are fetched once and on rotation);
//  2. end to end: sequential request latency through the real gateway in front of a local
//     OpenAI-shaped upstream, the three callers alternating within each round, the issuer's
//     discovery and JWKS served over HTTPS on loopback.
// Usage: npm run build && node bench/token-auth-overhead.mjs   (BENCH_SEQUENTIAL, BENCH_ROUNDS, BENCH_MICRO)
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileStandaloneFiles } from '@switchyard/compiler';
import { benchKeyYaml, benchRouteYaml, percentile, sequentialLatencies, startProcess } from './bench-support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');
const dist = (path) => join(repoRoot, 'gateway', 'dist', 'src', path);
const { createProviderRegistry } = await import(dist('providers/registry.js'));
const { TableHolder } = await import(dist('table/table-holder.js'));
const { identifyKey } = await import(dist('pipeline/authenticate.js'));
const { TokenAuthenticator } = await import(dist('governance/identity/token-authenticator.js'));

const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MICRO_ITERATIONS = Number(process.env.BENCH_MICRO ?? 50_000);
const FRESH_TOKENS = Number(process.env.BENCH_FRESH ?? 5_000);
const SECRET = 'sk-sy-benchsecret000000000000000000000000';
const QUIET = { SWITCHYARD_LOG_LEVEL: 'warn' };
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwks = {
  keys: [
    { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa', alg: 'RS256', use: 'sig' },
    { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec', alg: 'ES256', use: 'sig' },
  ],
};

function token(issuer, alg, jti = '0d1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8') {
  const now = Math.floor(Date.now() / 1000);
  const header = Buffer.from(JSON.stringify({ alg, typ: 'JWT', kid: alg === 'RS256' ? 'rsa' : 'ec' })).toString('base64url');
  // Claims shaped like a ServiceAccount token's (about the same size).
  const payload = Buffer.from(
    JSON.stringify({
      iss: issuer,
      aud: ['switchyard-gateway'],
      sub: 'system:serviceaccount:team-a:checkout',
      iat: now,
      nbf: now,
      exp: now + 3600,
      jti,
      'kubernetes.io': { namespace: 'team-a', serviceaccount: { name: 'checkout', uid: '6f4cde1a-0000-4000-8000-000000000001' } },
    }),
  ).toString('base64url');
  const input = `${header}.${payload}`;
  const signature =
    alg === 'RS256'
      ? sign('sha256', Buffer.from(input), rsa.privateKey)
      : sign('sha256', Buffer.from(input), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

const manifests = (upstreamUrl, issuer) => `${benchRouteYaml(upstreamUrl)}---
${benchKeyYaml('secret', SECRET)}---
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: token}
spec:
  subjects:
  - {kind: OIDC, issuer: "${issuer}", audience: switchyard-gateway, claims: {sub: "system:serviceaccount:team-a:checkout"}}
`;

// --- 1. in process ---------------------------------------------------------------------------

async function microBench() {
  const issuer = 'https://issuer.bench.invalid';
  const { table } = compileStandaloneFiles([{ path: 'bench.yaml', text: manifests('http://127.0.0.1:9', issuer) }], { version: 1 });
  const runtime = new TableHolder(createProviderRegistry()).load(table);
  const documents = {
    [`${issuer}/.well-known/openid-configuration`]: { issuer, jwks_uri: `${issuer}/keys` },
    [`${issuer}/keys`]: jwks,
  };
  const tokens = new TokenAuthenticator({
    audience: 'switchyard-gateway',
    serviceAccountIssuer: undefined,
    serviceAccountFetcher: undefined,
    oidcFetcher: async (url) => documents[url],
  });
  const cases = [
    ['virtual key secret', SECRET],
    ['RS256 token (2048-bit)', token(issuer, 'RS256')],
    ['ES256 token (P-256)', token(issuer, 'ES256')],
  ];
  const results = {};
  for (let warm = 0; warm < 2; warm++) {
    for (const [name, presented] of cases) {
      const exchange = { req: { headers: { authorization: `Bearer ${presented}` } }, identity: undefined };
      const durations = [];
      for (let i = 0; i < MICRO_ITERATIONS; i++) {
        const start = process.hrtime.bigint();
        const found = identifyKey(runtime, exchange, tokens);
        if (found instanceof Promise) await found;
        durations.push(Number(process.hrtime.bigint() - start) / 1000);
      }
      durations.sort((a, b) => a - b);
      results[name] = { p50: percentile(durations, 0.5), p99: percentile(durations, 0.99) };
    }
    // A token's first request (and one a minute after): its signature is verified. Distinct tokens, made beforehand.
    for (const alg of ['RS256', 'ES256']) {
      const fresh = Array.from({ length: FRESH_TOKENS }, (_, i) => token(issuer, alg, `fresh-${warm}-${i}`));
      const durations = [];
      for (const presented of fresh) {
        const exchange = { req: { headers: { authorization: `Bearer ${presented}` } }, identity: undefined };
        const start = process.hrtime.bigint();
        await identifyKey(runtime, exchange, tokens);
        durations.push(Number(process.hrtime.bigint() - start) / 1000);
      }
      durations.sort((a, b) => a - b);
      results[`${alg} token, first use (signature verified)`] = { p50: percentile(durations, 0.5), p99: percentile(durations, 0.99) };
    }
  }
  return results;
}

// --- 2. end to end ---------------------------------------------------------------------------

async function endToEnd() {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-token-bench-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'issuer.key'),
      '-out',
      join(dir, 'issuer.crt'),
    ],
    { stdio: 'ignore' },
  );
  let issuer = '';
  const server = createServer({ cert: readFileSync(join(dir, 'issuer.crt')), key: readFileSync(join(dir, 'issuer.key')) }, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.url === '/.well-known/openid-configuration' ? { issuer, jwks_uri: `${issuer}/keys` } : jwks));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `https://127.0.0.1:${server.address().port}`;
  const upstream = await startProcess([join(here, 'mock-openai-upstream.mjs')], (m) => typeof m.port === 'number');
  writeFileSync(join(dir, 'bench.yaml'), manifests(`http://127.0.0.1:${upstream.info.port}`, issuer));
  const gateway = await startProcess(
    [join(repoRoot, 'bin', 'switchyard.mjs'), 'gateway', '--config', join(dir, 'bench.yaml'), '--port', '0', '--admin-port', '0'],
    (m) => m.msg === 'listening',
    { ...QUIET, NODE_EXTRA_CA_CERTS: join(dir, 'issuer.crt') },
  );
  const url = `http://127.0.0.1:${gateway.info.port}/v1/chat/completions`;
  const cases = [
    ['virtual key secret', SECRET],
    ['RS256 token (2048-bit)', token(issuer, 'RS256')],
    ['ES256 token (P-256)', token(issuer, 'ES256')],
  ];
  const runs = Object.fromEntries(cases.map(([name]) => [name, []]));
  try {
    for (const [, key] of cases) await sequentialLatencies(url, key, Math.min(SEQUENTIAL, 1000)); // warm-up (and the one JWKS fetch)
    for (let round = 0; round < ROUNDS; round++)
      for (const [name, key] of cases) runs[name].push(await sequentialLatencies(url, key, SEQUENTIAL));
  } finally {
    gateway.child.kill('SIGTERM');
    upstream.child.kill('SIGTERM');
    server.close();
  }
  return Object.fromEntries(
    Object.entries(runs).map(([name, r]) => [name, { p50: median(r.map((x) => x.p50)), p99: median(r.map((x) => x.p99)) }]),
  );
}

const micro = await microBench();
const e2e = await endToEnd();
const secretMicro = micro['virtual key secret'];
const secretE2e = e2e['virtual key secret'];
console.log(
  [
    '### authenticate stage in process (issuer keys cached)',
    '',
    '| caller | p50 | p99 | added p50 vs secret |',
    '| --- | --- | --- | --- |',
    ...Object.entries(micro).map(
      ([name, r]) => `| ${name} | ${r.p50.toFixed(2)} µs | ${r.p99.toFixed(2)} µs | ${(r.p50 - secretMicro.p50).toFixed(2)} µs |`,
    ),
    '',
    '### sequential requests through the gateway',
    '',
    '| caller | p50 | p99 | added p50 vs secret | p50 ratio |',
    '| --- | --- | --- | --- | --- |',
    ...Object.entries(e2e).map(
      ([name, r]) =>
        `| ${name} | ${r.p50.toFixed(0)} µs | ${r.p99.toFixed(0)} µs | ${(r.p50 - secretE2e.p50).toFixed(0)} µs | ${(r.p50 / secretE2e.p50).toFixed(2)} |`,
    ),
    '',
    `${MICRO_ITERATIONS} in-process authentications per caller (the same token, so its verified signature is remembered), ${FRESH_TOKENS} distinct tokens for first use; ${SEQUENTIAL} sequential requests x ${ROUNDS} rounds (medians), the callers alternating within each round.`,
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}.`,
  ].join('\n'),
);
