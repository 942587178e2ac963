// A jest reporter that turns the front door x provider cell tests of a run into
// docs/compatibility.md: which cells pass, and which features broke where.
//
// A cell test is any test whose full name holds `<front door> front door x <provider> provider:
// <feature>` (describe titles and the test title joined, as jest joins them). Front doors and
// providers may be spelled by their aliases below, so existing suites need no renaming. The
// feature text is free; FEATURE_RULES file it under the shared feature names the detail tables
// use, and anything they do not recognise still counts towards its cell as an "other behaviour".
//
// Only a whole-suite run writes the document (scripts/test.sh, which `make test` runs, sets
// SWITCHYARD_FULL_TEST_RUN=1 when given no filter): a partial run would publish a partial matrix.
// A run with no cell test in it leaves the document alone too.
// Options (jest `reporters: [['<path>', {outputFile}]]`): outputFile, relative to rootDir
// (default docs/compatibility.md); requireFullRun (default true).

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';

export const FRONT_DOORS = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];
export const PROVIDERS = ['mock', 'openai', 'anthropic', 'gemini', 'bedrock'];

const FRONT_DOOR_LABELS = {
  'openai-chat': 'OpenAI Chat Completions (`/v1/chat/completions`)',
  'openai-responses': 'OpenAI Responses (`/v1/responses`)',
  anthropic: 'Anthropic Messages (`/anthropic/v1/messages`)',
  gemini: 'Gemini (`/genai/v1beta/models/{m}:generateContent`)',
};

const FRONT_DOOR_ALIASES = new Map([
  ['openai-chat', 'openai-chat'],
  ['openai', 'openai-chat'],
  ['chat', 'openai-chat'],
  ['chat-completions', 'openai-chat'],
  ['openai-responses', 'openai-responses'],
  ['responses', 'openai-responses'],
  ['anthropic', 'anthropic'],
  ['anthropic-messages', 'anthropic'],
  ['messages', 'anthropic'],
  ['gemini', 'gemini'],
  ['genai', 'gemini'],
  ['google', 'gemini'],
]);

const PROVIDER_ALIASES = new Map([
  ['mock', 'mock'],
  ['openai', 'openai'],
  ['anthropic', 'anthropic'],
  ['gemini', 'gemini'],
  ['google', 'gemini'],
  ['bedrock', 'bedrock'],
  ['amazon-bedrock', 'bedrock'],
]);

/** Words that fill the provider slot in names of tests that are deliberately not tied to one. */
const NOT_A_PROVIDER = new Set(['no', 'any', 'every']);

/** The features every cell is expected to cover, in table order. */
export const FEATURES = [
  'text',
  'streaming',
  'tool call',
  'streaming tool call',
  'tool result round trip',
  'image input',
  'usage carried exactly',
];
export const OTHER_BEHAVIOURS = 'other behaviours';

// Tested against the lower-cased feature text. A test may count for more than one feature
// ("function call out and functionResponse back, streamed" is a streamed call and a round trip).
const TOOL_START = /^(tool use|tool call|tool calls|function call|function calling)\b/;
const STREAMED = /\bstream(ed|ing)\b/;
const NOT_STREAMED = /\bnot streamed\b|\bnon-streaming\b/;
const isStreamedToolCall = (f) =>
  /^(streaming|streamed) (tool|function) calls?\b/.test(f) || (TOOL_START.test(f) && STREAMED.test(f) && !NOT_STREAMED.test(f));
const FEATURE_RULES = [
  ['text', (f) => /^text\b/.test(f)],
  ['streaming', (f) => /^(streaming|streamed)\b/.test(f) && !isStreamedToolCall(f)],
  ['tool call', (f) => TOOL_START.test(f) && !/^function call output\b/.test(f) && !isStreamedToolCall(f)],
  ['streaming tool call', isStreamedToolCall],
  [
    'tool result round trip',
    (f) => /tool[ _]results?\b|functionresponse|function call output|tool conversation|round trip|results? goes? back\b/.test(f),
  ],
  ['image input', (f) => /^(image input|images?\b|base64 images?\b|inlinedata image)/.test(f)],
  ['usage carried exactly', (f) => /^usage\b/.test(f) || /\bexact usage\b|\busage\b.*\bexactly\b/.test(f)],
];

const CELL_NAME = /([a-z][a-z0-9-]*) front door x ([a-z][a-z0-9-]*) provider:\s*(.+)$/i;

/**
 * The cell a test's full name belongs to: `{frontDoor, provider, feature}` with canonical ids,
 * `{unknown: 'front door x provider'}` when the name has the shape but names no known pair, or
 * undefined when it is not a cell name at all.
 */
export function parseCellName(fullName) {
  const match = CELL_NAME.exec(fullName);
  if (match === null) return undefined;
  const [, rawFrontDoor, rawProvider, feature] = match;
  const frontDoor = FRONT_DOOR_ALIASES.get(rawFrontDoor.toLowerCase());
  const provider = PROVIDER_ALIASES.get(rawProvider.toLowerCase());
  if (frontDoor === undefined || provider === undefined) {
    if (NOT_A_PROVIDER.has(rawProvider.toLowerCase())) return undefined;
    return { unknown: `${rawFrontDoor} front door x ${rawProvider} provider` };
  }
  return { frontDoor, provider, feature: feature.trim() };
}

/** The shared features a cell test's feature text counts for; empty for other behaviours. */
export function featuresOf(featureText) {
  const f = featureText.toLowerCase();
  return FEATURE_RULES.filter(([, rule]) => rule(f)).map(([name]) => name);
}

function emptyTally() {
  return { passed: 0, failed: 0 };
}

/**
 * Everything the document needs from jest's aggregated results: per cell the counts, the
 * per-feature tallies and the failed tests; the cell-test files; names that looked like cells
 * but named no known front door or provider; front-door test files that did not run at all.
 */
export function collectMatrix(aggregatedResults, rootDir) {
  const cells = new Map();
  const files = new Set();
  const unknownNames = new Set();
  const brokenFiles = [];
  const conformance = [];
  for (const fileResult of aggregatedResults.testResults ?? []) {
    const file = relative(rootDir, fileResult.testFilePath);
    let fileHasCells = false;
    for (const test of fileResult.testResults ?? []) {
      if (test.status !== 'passed' && test.status !== 'failed') continue;
      const fullName = test.fullName ?? [...(test.ancestorTitles ?? []), test.title].join(' ');
      const scenario = parseConformanceName(fullName);
      if (scenario !== undefined) {
        conformance.push({ ...scenario, passed: test.status === 'passed' });
        continue;
      }
      const parsed = parseCellName(fullName);
      if (parsed === undefined) continue;
      if ('unknown' in parsed) {
        unknownNames.add(parsed.unknown);
        continue;
      }
      fileHasCells = true;
      const key = `${parsed.frontDoor}|${parsed.provider}`;
      let cell = cells.get(key);
      if (cell === undefined) {
        cell = { frontDoor: parsed.frontDoor, provider: parsed.provider, passed: 0, failed: 0, features: new Map(), failures: [] };
        cells.set(key, cell);
      }
      const passed = test.status === 'passed';
      cell[passed ? 'passed' : 'failed'] += 1;
      const features = featuresOf(parsed.feature);
      for (const feature of features.length > 0 ? features : [OTHER_BEHAVIOURS]) {
        const tally = cell.features.get(feature) ?? emptyTally();
        tally[passed ? 'passed' : 'failed'] += 1;
        cell.features.set(feature, tally);
      }
      if (!passed) cell.failures.push({ feature: parsed.feature, features, file });
    }
    if (fileHasCells) files.add(file);
    if (fileResult.testExecError !== undefined && /(^|\/)(frontdoors|matrix)\//.test(file)) {
      const message = String(fileResult.testExecError.message ?? fileResult.testExecError).split('\n')[0];
      brokenFiles.push({ file, message });
    }
  }
  const total = [...cells.values()].reduce((sum, cell) => sum + cell.passed + cell.failed, 0);
  const failed = [...cells.values()].reduce((sum, cell) => sum + cell.failed, 0);
  conformance.sort((a, b) => (a.expected === b.expected ? (a.scenario < b.scenario ? -1 : 1) : a.expected === 'pass' ? -1 : 1));
  return { cells, files: [...files].sort(), unknownNames: [...unknownNames].sort(), brokenFiles, total, failed, conformance };
}

/**
 * `MCP conformance scenario <name>: passes` or `...: fails as expected (<reason>)`, the names of
 * gateway/test/mcp/mcp-conformance.test.ts; undefined for any other test.
 */
export function parseConformanceName(fullName) {
  const match = /MCP conformance scenario (\S+): (passes|fails as expected \((.*)\))$/.exec(fullName);
  if (match === null) return undefined;
  return match[2] === 'passes' ? { scenario: match[1], expected: 'pass' } : { scenario: match[1], expected: 'fail', reason: match[3] };
}

function shorten(text, max = 80) {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function tableCell(text) {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** What the matrix shows for one cell. */
export function cellSummary(cell) {
  if (cell === undefined || cell.passed + cell.failed === 0) return 'not tested';
  const total = cell.passed + cell.failed;
  if (cell.failed === 0) return `pass (${total}/${total})`;
  const failedFeatures = [];
  for (const failure of cell.failures) {
    for (const name of failure.features.length > 0 ? failure.features : [shorten(failure.feature, 60)]) {
      if (!failedFeatures.includes(name)) failedFeatures.push(name);
    }
  }
  return `FAIL: ${failedFeatures.join(', ')}`;
}

function featureSummary(tally) {
  if (tally === undefined) return 'not tested';
  const total = tally.passed + tally.failed;
  if (tally.failed === 0) return total === 1 ? 'pass' : `pass (${total}/${total})`;
  return `FAIL (${tally.passed}/${total} pass)`;
}

/**
 * Endpoints outside the front door x provider matrix (one wire shape in, a few providers behind
 * it): which providers serve each, how, and the tests that cover it. Written as it stands, not
 * from the run's results; the named tests are what a change here must keep green.
 */
const OTHER_ENDPOINTS = [
  {
    endpoint: '`POST /v1/rerank`, `POST /v2/rerank`',
    rows: [
      ['`cohere`', "Cohere v2 `POST /v2/rerank` at the base URL's host", 'search units; tokens estimated'],
      ['`vllm`, `together`, `openai-compatible`', 'Jina-style `POST {baseURL}/rerank`', 'tokens reported'],
      ['`bedrock`', 'Agent Runtime `Rerank` (`bedrock-agent-runtime` host, SigV4)', 'tokens estimated'],
      ['every other provider', '400 naming the provider', ''],
    ],
    tests: 'gateway/test/rerank/, gateway/test/wire/rerank/',
    docs: 'providers/openai.md#post-v1rerank-and-post-v2rerank',
  },
  {
    endpoint: '`GET /v1/realtime` (WebSocket)',
    rows: [
      [
        '`openai`',
        '`wss://{baseURL host}/v1/realtime?model=` (Bearer), events relayed unchanged',
        'response.done usage, text/audio/image prices',
      ],
      [
        '`azure-openai`',
        '`wss://{resource}/openai/realtime?api-version=&deployment=` (`api-key`), events relayed unchanged',
        'response.done usage, text/audio/image prices',
      ],
      ['`gemini`, `vertex-ai` (Live API)', 'not served: a different protocol (see providers/gemini.md)', ''],
      ['every other provider', '400 naming the provider', ''],
    ],
    tests: 'gateway/test/realtime/, gateway/test/wire/openai-realtime/',
    docs: 'providers/openai.md#get-v1realtime-websocket',
  },
  {
    endpoint: '`POST /v1/images/generations`, `POST /v1/images/edits`',
    rows: [
      [
        '`openai`',
        '`POST {baseURL}/images/generations` (JSON), `/images/edits` (multipart); `b64_json`, and `url` where the model answers it',
        'GPT Image: tokens reported; DALL-E: per image',
      ],
      ['`azure-openai`', 'the same bodies at `/openai/deployments/{deployment}/images/...?api-version=`, `api-key`', 'as `openai`'],
      ['`gemini`, `vertex-ai`', 'Imagen `:predict`: generations, `b64_json` only (`url` is a 400)', 'per image'],
      [
        '`bedrock`',
        'Titan Image Generator through `InvokeModel` (SigV4): generations, unmasked edits; `b64_json` only',
        'per image by quality and size',
      ],
      ['every other provider', '400 naming the provider', ''],
    ],
    tests: 'gateway/test/images/, gateway/test/wire/images/',
    docs: 'providers/openai.md#post-v1imagesgenerations-and-post-v1imagesedits',
  },
  {
    endpoint: '`POST /v1/audio/transcriptions`, `POST /v1/audio/translations`, `POST /v1/audio/speech`',
    rows: [
      [
        '`openai`, `groq`, `together`, `openai-compatible`',
        'all three at `{baseURL}/audio/{endpoint}`, multipart re-encoded, answers passed through',
        'seconds, tokens or characters reported; estimated where not',
      ],
      ['`azure-openai`', 'all three at `/openai/deployments/{deployment}/audio/{endpoint}?api-version=`', 'as OpenAI'],
      ['`vllm`', 'transcriptions and translations; speech 400', 'seconds reported; estimated where not'],
      ['`mistral`, `openrouter`', 'transcriptions; translations and speech 400', 'seconds or tokens reported; estimated where not'],
      [
        '`gemini`, `vertex-ai` (Gemini models)',
        'transcriptions and translations as `generateContent` with the audio inline, `json` and `text` only; speech, stream and timestamped formats 400',
        'tokens reported',
      ],
      ['every other provider', '400 naming the provider', ''],
    ],
    tests: 'gateway/test/audio/, gateway/test/wire/audio/',
    docs: 'providers/openai.md#audio-post-v1audiotranscriptions-v1audiotranslations-v1audiospeech',
  },
  {
    endpoint: '`/v1/files`, `/v1/batches`',
    rows: [
      [
        '`openai`',
        "`{baseURL}/files`, `{baseURL}/batches` (lines sent with the backend's model)",
        "output lines' usage, at the batch price",
      ],
      [
        '`azure-openai`',
        '`{baseURL}/openai/files`, `/openai/batches` (`api-version`; lines name the deployment)',
        "output lines' usage, at the batch price",
      ],
      [
        '`anthropic`',
        'Message Batches `POST /v1/messages/batches` (the file kept by the gateway, lines translated)',
        "results' usage, at the batch price",
      ],
      ['every other provider', '400 `batches_not_supported` at upload', ''],
    ],
    tests: 'gateway/test/batches/, gateway/test/wire/openai-batch/',
    docs: 'providers/openai.md#files-and-batches',
  },
];

/**
 * Prompt-cache hints per provider: what a caller's hint becomes upstream, and where it is dropped
 * because the target has no equivalent. Written as the encoders stand; the fixtures named under
 * the table pin every cell (`gateway/test/wire/cache-hints-translation.test.ts` reads them).
 */
const CACHE_HINT_COLUMNS = [
  'Anthropic `cache_control` (system, tools, messages; `ttl` 5m / 1h)',
  'OpenAI `prompt_cache_breakpoint` (content parts)',
  'OpenAI `prompt_cache_key`, `prompt_cache_retention`',
  'Gemini `cachedContent`',
  'cache tokens read from the answer',
];
const CACHE_HINT_ROWS = [
  [
    '`anthropic`',
    'sent as given, TTL included',
    '`cache_control: {type: ephemeral}` on the same block',
    'dropped (no equivalent; the key still drives [affinity](routing.md#affinity))',
    'never routed here',
    '`cache_read_input_tokens`, `cache_creation_input_tokens`',
  ],
  [
    '`vertex-ai`, Claude models',
    'sent as given, TTL included (Anthropic body)',
    '`cache_control: {type: ephemeral}`',
    'dropped',
    'never routed here',
    'as `anthropic`',
  ],
  [
    '`bedrock`',
    'a `cachePoint` block after the marked system block, tool spec or content block (tool results included), with `ttl`',
    'a `cachePoint` after the block',
    'dropped',
    'never routed here',
    '`cacheReadInputTokens`, `cacheWriteInputTokens`',
  ],
  [
    '`openai`',
    '`prompt_cache_breakpoint: {mode: explicit}` on text, image and file parts; TTL, tool and tool-result breakpoints dropped (OpenAI sets the lifetime per request)',
    'sent as given',
    'sent as given',
    'never routed here',
    '`prompt_tokens_details.cached_tokens`, `cache_write_tokens`',
  ],
  ['`azure-openai`', 'dropped (Azure takes no explicit breakpoints)', 'dropped', 'sent as given', 'never routed here', 'as `openai`'],
  [
    '`gemini`',
    'dropped (Gemini caches prefixes implicitly; explicit caches are `cachedContent`)',
    'dropped',
    'dropped',
    '`cachedContents/{id}` sent as given; the request is [pinned](routing.md#gemini-context-caches) to one backend and credential',
    '`cachedContentTokenCount`',
  ],
  [
    '`vertex-ai`, Gemini models',
    'dropped',
    'dropped',
    'dropped',
    '`projects/{p}/locations/{l}/cachedContents/{id}` sent as given; pinned likewise',
    'as `gemini`',
  ],
  [
    'OpenAI-compatible (`mistral`, `groq`, `deepseek`, `xai`, `together`, `fireworks`, ...)',
    'dropped',
    'dropped',
    'dropped',
    'never routed here',
    "`cached_tokens` (DeepSeek's `prompt_cache_hit_tokens`) where the host reports it",
  ],
];
const CACHE_HINT_FIXTURES = ['anthropic-messages', 'bedrock-converse', 'openai-chat', 'gemini'].map(
  (api) => `gateway/src/wire/${api}/__fixtures__/cache-hints.json`,
);

export function renderCacheHints(lines) {
  lines.push('## Prompt-cache hints');
  lines.push('');
  lines.push("What each front door's prompt-cache hints become at each provider. A hint is dropped only where the");
  lines.push('provider has no equivalent; dropping one never fails the request. "Never routed here": a request naming');
  lines.push('a Gemini context cache goes only to a backend that can read it (a 400 names the backends left out).');
  lines.push("Cache reads and writes are priced from the catalog and reported in every front door's usage shape");
  lines.push('([governance](governance.md#cost)).');
  lines.push('');
  lines.push(`| provider | ${CACHE_HINT_COLUMNS.join(' | ')} |`);
  lines.push(`| --- | ${CACHE_HINT_COLUMNS.map(() => '---').join(' | ')} |`);
  for (const row of CACHE_HINT_ROWS) lines.push(`| ${row.map(tableCell).join(' | ')} |`);
  lines.push('');
  lines.push(
    `Tests: \`gateway/test/wire/cache-hints-translation.test.ts\` (table-driven from ${CACHE_HINT_FIXTURES.map((f) => `\`${f}\``).join(', ')}), \`gateway/test/frontdoors/gemini/cached-content-through-gateway.test.ts\`.`,
  );
}

function renderOtherEndpoints(lines) {
  lines.push('## Other endpoints');
  lines.push('');
  lines.push('Served by the OpenAI front door to the providers that have the API; not part of the matrix above.');
  for (const entry of OTHER_ENDPOINTS) {
    lines.push('');
    lines.push(`### ${entry.endpoint}`);
    lines.push('');
    lines.push('| provider | upstream call | usage |');
    lines.push('| --- | --- | --- |');
    for (const [provider, call, usage] of entry.rows) lines.push(`| ${provider} | ${call} | ${usage} |`);
    lines.push('');
    lines.push(`Tests: \`${entry.tests}\`. Details: [${entry.docs.split('#')[0]}](${entry.docs}).`);
  }
}

export function renderCompatibilityDoc(matrix, date) {
  const cellOf = (frontDoor, provider) => matrix.cells.get(`${frontDoor}|${provider}`);
  const lines = [];
  lines.push('# Compatibility: front door x provider');
  lines.push('');
  lines.push('<!-- Generated by scripts/compatibility-reporter.mjs from the test run; do not edit by hand. -->');
  lines.push('');
  lines.push(
    `Generated on ${date} from the test run (\`make test\`): ${matrix.total} cell tests, ${matrix.total - matrix.failed} passed, ${matrix.failed} failed.`,
  );
  lines.push('');
  lines.push('Every front door reaches every provider through the unified request model. Each cell below is');
  lines.push('the set of tests named `<front door> front door x <provider> provider: <feature>`: a client (the');
  lines.push("front door's official SDK, or raw HTTP for wire-level checks) talks to a real gateway process, and");
  lines.push("the provider is the in-process `mock` provider or a loopback server speaking that provider's real");
  lines.push("wire format (Bedrock's checks SigV4 signatures).");
  lines.push('`pass (n/n)` counts every test of the cell; `FAIL` names the features that broke;');
  lines.push('`not tested` means the run had no test for that cell.');
  lines.push('');
  if (matrix.brokenFiles.length > 0) {
    lines.push('**Test files that did not run** (their cells may show as `not tested`):');
    lines.push('');
    for (const broken of matrix.brokenFiles) lines.push(`- \`${broken.file}\`: ${tableCell(shorten(broken.message, 160))}`);
    lines.push('');
  }
  lines.push('## Matrix');
  lines.push('');
  lines.push(`| front door \\ provider | ${PROVIDERS.map((p) => `\`${p}\``).join(' | ')} |`);
  lines.push(`| --- | ${PROVIDERS.map(() => '---').join(' | ')} |`);
  for (const frontDoor of FRONT_DOORS) {
    lines.push(`| \`${frontDoor}\` | ${PROVIDERS.map((provider) => tableCell(cellSummary(cellOf(frontDoor, provider)))).join(' | ')} |`);
  }
  lines.push('');
  lines.push('## Features per cell');
  lines.push('');
  lines.push(`Shared features: ${FEATURES.map((f) => `\`${f}\``).join(', ')}.`);
  lines.push(`Tests whose names match none of them (errors, thinking, count tokens, embeddings, ...) count as`);
  lines.push(`\`${OTHER_BEHAVIOURS}\`. A test can count for more than one feature; \`pass (2/2)\` means two tests covered it.`);
  for (const frontDoor of FRONT_DOORS) {
    lines.push('');
    lines.push(`### \`${frontDoor}\`: ${FRONT_DOOR_LABELS[frontDoor]}`);
    lines.push('');
    lines.push(`| feature | ${PROVIDERS.map((p) => `\`${p}\``).join(' | ')} |`);
    lines.push(`| --- | ${PROVIDERS.map(() => '---').join(' | ')} |`);
    for (const feature of [...FEATURES, OTHER_BEHAVIOURS]) {
      lines.push(
        `| ${feature} | ${PROVIDERS.map((provider) => featureSummary(cellOf(frontDoor, provider)?.features.get(feature))).join(' | ')} |`,
      );
    }
    const failures = PROVIDERS.flatMap((provider) =>
      (cellOf(frontDoor, provider)?.failures ?? []).map((failure) => ({ provider, ...failure })),
    );
    if (failures.length > 0) {
      lines.push('');
      lines.push('Failed:');
      lines.push('');
      for (const failure of failures)
        lines.push(`- \`${frontDoor} front door x ${failure.provider} provider: ${tableCell(failure.feature)}\` (\`${failure.file}\`)`);
    }
  }
  lines.push('');
  renderCacheHints(lines);
  lines.push('');
  renderOtherEndpoints(lines);
  const conformance = matrix.conformance ?? [];
  if (conformance.length > 0) {
    lines.push('');
    lines.push('## MCP conformance (`/mcp`)');
    lines.push('');
    lines.push('The server scenarios of the official MCP conformance suite (`@modelcontextprotocol/conformance`) run');
    lines.push('against a gateway whose only upstream is the reference server (`@modelcontextprotocol/server-everything`,');
    lines.push('as a stdio MCPServer). The gateway is an aggregator: the suite calls tools, prompts and resources by the');
    lines.push("reference server's own names, which the gateway offers under the MCPServer's prefix, so those scenarios");
    lines.push('fail by design; the rest are what the gateway serves or does not serve yet. `as expected` means the run');
    lines.push('matched the expectation (`gateway/test/mcp/mcp-conformance.test.ts` fails otherwise, in both directions).');
    lines.push('');
    lines.push('| scenario | result | why |');
    lines.push('| --- | --- | --- |');
    for (const row of conformance) {
      const result =
        row.expected === 'pass' ? (row.passed ? 'pass' : 'FAIL') : row.passed ? 'fails (as expected)' : 'UNEXPECTED (see the test)';
      lines.push(`| \`${row.scenario}\` | ${result} | ${tableCell(row.reason ?? '')} |`);
    }
    const passing = conformance.filter((row) => row.expected === 'pass' && row.passed).length;
    lines.push('');
    lines.push(`${passing} of ${conformance.length} scenarios pass.`);
  }
  lines.push('');
  lines.push('## How this file is made');
  lines.push('');
  lines.push('`make test` runs jest with `scripts/compatibility-reporter.mjs` beside the default reporter');
  lines.push('(`jest.config.mjs`). At the end of a run that included cell tests, the reporter rewrites this file');
  lines.push('from their results; a run without any (a filtered run of other tests) leaves it alone. To refresh');
  lines.push('only the matrix: `make build`, then');
  lines.push(
    '`node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js gateway/dist/test/matrix gateway/dist/test/frontdoors`.',
  );
  lines.push('');
  lines.push('Cell tests in this run came from:');
  lines.push('');
  for (const file of matrix.files) lines.push(`- \`${file}\``);
  if (matrix.unknownNames.length > 0) {
    lines.push('');
    lines.push('Test names shaped like cells that name no known front door or provider (add an alias to the reporter');
    lines.push('or rename the test):');
    lines.push('');
    for (const name of matrix.unknownNames) lines.push(`- \`${name}\``);
  }
  lines.push('');
  return lines.join('\n');
}

export default class CompatibilityReporter {
  constructor(globalConfig, reporterOptions = {}) {
    this.rootDir = globalConfig?.rootDir ?? process.cwd();
    const outputFile = reporterOptions?.outputFile ?? join('docs', 'compatibility.md');
    this.outputFile = isAbsolute(outputFile) ? outputFile : join(this.rootDir, outputFile);
    this.today = reporterOptions?.today ?? (() => new Date().toISOString().slice(0, 10));
    this.requireFullRun = reporterOptions?.requireFullRun ?? true;
  }

  onRunComplete(_testContexts, aggregatedResults) {
    if (this.requireFullRun && process.env.SWITCHYARD_FULL_TEST_RUN !== '1') return;
    const matrix = collectMatrix(aggregatedResults, this.rootDir);
    if (matrix.total === 0) return;
    try {
      mkdirSync(dirname(this.outputFile), { recursive: true });
      writeFileSync(this.outputFile, renderCompatibilityDoc(matrix, this.today()));
    } catch (error) {
      // A document that cannot be written must not turn a green run red.
      console.error(
        `compatibility-reporter: could not write ${this.outputFile}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  getLastError() {
    return undefined;
  }
}
