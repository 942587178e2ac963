// scripts/compatibility-reporter.mjs: how it reads cell names from every front door's suites,
// files feature texts under the shared features, and what it writes (or declines to write).
// The reporter is plain ESM outside the TypeScript build, so it is loaded by URL at run time.

import { describe, expect, it, beforeAll } from '@jest/globals';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../support/repo-paths.js';

type ParsedCell = { frontDoor: string; provider: string; feature: string } | { unknown: string } | undefined;

interface FakeTest {
  fullName: string;
  title: string;
  ancestorTitles: string[];
  status: 'passed' | 'failed' | 'pending' | 'skipped' | 'todo';
}

interface FakeFileResult {
  testFilePath: string;
  testResults: FakeTest[];
  testExecError?: { message: string };
}

interface Reporter {
  onRunComplete(contexts: Set<unknown>, results: { testResults: FakeFileResult[] }): void;
}

interface ReporterModule {
  default: new (
    globalConfig: { rootDir: string },
    options: { outputFile: string; today: () => string; requireFullRun?: boolean },
  ) => Reporter;
  parseCellName(fullName: string): ParsedCell;
  featuresOf(featureText: string): string[];
}

let reporterModule: ReporterModule;

beforeAll(async () => {
  const loaded: unknown = await import(pathToFileURL(join(repoRoot, 'scripts', 'compatibility-reporter.mjs')).href);
  if (typeof loaded !== 'object' || loaded === null || typeof (loaded as { default?: unknown }).default !== 'function') {
    throw new Error('scripts/compatibility-reporter.mjs has no default-exported reporter class');
  }
  reporterModule = loaded as ReporterModule;
});

function test(fullName: string, status: FakeTest['status'] = 'passed'): FakeTest {
  return { fullName, title: fullName, ancestorTitles: [], status };
}

async function runReporter(files: FakeFileResult[], existing?: string, requireFullRun = false): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'compat-reporter-'));
  const outputFile = join(dir, 'docs', 'compatibility.md');
  try {
    if (existing !== undefined) {
      await mkdir(join(dir, 'docs'));
      await writeFile(outputFile, existing);
    }
    const reporter = new reporterModule.default({ rootDir: dir }, { outputFile, today: () => '2030-01-02', requireFullRun });
    reporter.onRunComplete(new Set(), { testResults: files.map((f) => ({ ...f, testFilePath: join(dir, f.testFilePath) })) });
    return await readFile(outputFile, 'utf8').catch(() => undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The matrix row of one front door, as cells. */
function matrixRow(doc: string, frontDoor: string): string[] {
  const line = doc.split('\n').find((l) => l.startsWith(`| \`${frontDoor}\` |`));
  if (line === undefined) throw new Error(`no matrix row for ${frontDoor}`);
  return line
    .split(' | ')
    .slice(1)
    .map((c) => c.replace(/ \|$/, ''));
}

describe('compatibility reporter: reading cell names', () => {
  it.each<[string, string, ParsedCell]>([
    [
      'this matrix',
      'openai-chat front door x bedrock provider openai-chat front door x bedrock provider: streaming tool call',
      { frontDoor: 'openai-chat', provider: 'bedrock', feature: 'streaming tool call' },
    ],
    [
      'Anthropic suites (cell in describe and title)',
      'anthropic front door x gemini provider anthropic front door x gemini provider: text: system and user reach Gemini',
      { frontDoor: 'anthropic', provider: 'gemini', feature: 'text: system and user reach Gemini' },
    ],
    [
      'the Responses table (alias "responses")',
      'responses front door x mock provider: image input',
      { frontDoor: 'openai-responses', provider: 'mock', feature: 'image input' },
    ],
    [
      'Gemini suites (behaviour after the cell)',
      'usageMetadata gemini front door x openai provider: usage carried exactly, streamed',
      { frontDoor: 'gemini', provider: 'openai', feature: 'usage carried exactly, streamed' },
    ],
    ['a provider alias', 'genai front door x amazon-bedrock provider: text', { frontDoor: 'gemini', provider: 'bedrock', feature: 'text' }],
    ['a test tied to no provider', 'gemini front door x no provider: an unknown model is 404 NOT_FOUND', undefined],
    ['a test for any provider', 'gemini front door x any provider: alt=proto is a 400 naming alt', undefined],
    ['a front door alone', 'gemini front door: models.list shows every route', undefined],
    ['an unrelated test', 'routing weights: a 3:1 split', undefined],
    ['an unknown provider', 'anthropic front door x cohere provider: text', { unknown: 'anthropic front door x cohere provider' }],
  ])('%s', (_label, fullName, expected) => {
    expect(reporterModule.parseCellName(fullName)).toEqual(expected);
  });
});

describe('compatibility reporter: filing features', () => {
  it.each<[string, string[]]>([
    ['text', ['text']],
    ['text: the Converse request Bedrock received, the answer and exact usage', ['text', 'usage carried exactly']],
    ['text: system, parameters and user reach OpenAI; the answer and usage come back', ['text']],
    ['streaming', ['streaming']],
    ['streamed text (alt=sse): chunks add up', ['streaming']],
    ['streaming with create({stream: true}): message_delta carries the stop reason and usage', ['streaming']],
    ['streaming with client.messages.stream: text and exact usage', ['streaming', 'usage carried exactly']],
    ['tool use, not streamed: toolUse becomes tool_use; cached-prompt usage is split exactly', ['tool call', 'usage carried exactly']],
    ['tool call', ['tool call']],
    ['function call', ['tool call']],
    ['tool use, not streamed: a forced tool comes back as a tool_use block', ['tool call']],
    ['streaming tool call', ['streaming tool call']],
    ['streaming function call (responses.stream)', ['streaming tool call']],
    ['tool use, streamed: two parallel calls become two tool_use blocks', ['streaming tool call']],
    ['tool result round trip', ['tool result round trip']],
    ['function call output sent back as history', ['tool result round trip']],
    ['a tool conversation reaches OpenAI as tool_calls and tool messages', ['tool result round trip']],
    ['function call out and functionResponse back, streamed', ['streaming tool call', 'tool result round trip']],
    ['function call out and functionResponse back, not streamed', ['tool call', 'tool result round trip']],
    ['image input', ['image input']],
    ['images: base64 goes inline, a URL as fileData', ['image input']],
    ['inlineData image part reaches the provider as an image', ['image input']],
    ['usage carried exactly', ['usage carried exactly']],
    ['usage with prompt-cache counters is carried over exactly, streamed and not', ['usage carried exactly']],
    ['a stream that fails after it began ends with event: error', []],
    ['countTokens with generateContentRequest counts the system instruction, tools and an image', []],
    ['thinking, streamed: thinking_delta and signature_delta', []],
  ])('%s', (featureText, expected) => {
    expect(reporterModule.featuresOf(featureText)).toEqual(expected);
  });
});

describe('compatibility reporter: the document', () => {
  const chatFile = 'gateway/dist/test/matrix/openai-chat.test.js';
  const anthropicFile = 'gateway/dist/test/frontdoors/anthropic-messages/anthropic-x-openai.test.js';

  it('passing, failing and untested cells, per-feature tallies, failed tests by name, the date', async () => {
    const doc = await runReporter([
      {
        testFilePath: chatFile,
        testResults: [
          test('openai-chat front door x openai provider: text'),
          test('openai-chat front door x openai provider: streaming'),
          test('openai-chat front door x gemini provider: text'),
          test('openai-chat front door x gemini provider: streaming tool call', 'failed'),
          test('openai-chat front door x gemini provider: image input', 'failed'),
          test('openai-chat front door x bedrock provider: text', 'skipped'),
        ],
      },
      {
        testFilePath: anthropicFile,
        testResults: [
          test(
            'anthropic front door x openai provider anthropic front door x openai provider: thinking: the budget becomes reasoning_effort',
            'failed',
          ),
          test('anthropic front door x openai provider anthropic front door x openai provider: streaming with client.messages.stream'),
          test('anthropic front door x openai provider anthropic front door x openai provider: streaming with create({stream: true})'),
        ],
      },
      { testFilePath: 'gateway/dist/test/core/routing.test.js', testResults: [test('routing weights: a 3:1 split', 'failed')] },
    ]);
    if (doc === undefined) throw new Error('the reporter wrote nothing');
    expect(doc).toContain('Generated on 2030-01-02');
    expect(doc).toContain('`make test`');
    expect(doc).toContain('8 cell tests, 5 passed, 3 failed');
    expect(matrixRow(doc, 'openai-chat')).toEqual([
      'not tested',
      'pass (2/2)',
      'not tested',
      'FAIL: streaming tool call, image input',
      'not tested',
    ]);
    expect(matrixRow(doc, 'anthropic')).toEqual([
      'not tested',
      'FAIL: thinking: the budget becomes reasoning_effort',
      'not tested',
      'not tested',
      'not tested',
    ]);
    expect(matrixRow(doc, 'openai-responses')).toEqual(['not tested', 'not tested', 'not tested', 'not tested', 'not tested']);
    const anthropicDetail = doc.slice(doc.indexOf('### `anthropic`'));
    expect(anthropicDetail).toContain('| streaming | not tested | pass (2/2) | not tested | not tested | not tested |');
    expect(anthropicDetail).toContain('| other behaviours | not tested | FAIL (0/1 pass) | not tested | not tested | not tested |');
    expect(doc).toContain('- `openai-chat front door x gemini provider: image input` (`gateway/dist/test/matrix/openai-chat.test.js`)');
    expect(doc).toContain(`- \`${anthropicFile}\``);
    expect(doc).not.toContain('routing weights');
    expect(doc).not.toContain('core/routing.test');
  });

  it('MCP conformance scenarios get their own table: passes first, then expected failures with their reason', async () => {
    const doc = await runReporter([
      { testFilePath: chatFile, testResults: [test('openai-chat front door x openai provider: text')] },
      {
        testFilePath: 'gateway/dist/test/mcp/mcp-conformance.test.js',
        testResults: [
          test(
            'the MCP conformance suite against /mcp MCP conformance scenario tools-call-image: fails as expected (tool names are prefixed)',
          ),
          test('the MCP conformance suite against /mcp MCP conformance scenario ping: passes'),
          test('the MCP conformance suite against /mcp MCP conformance scenario tools-list: passes', 'failed'),
          test(
            'the MCP conformance suite against /mcp MCP conformance scenario resources-subscribe: fails as expected (not | served)',
            'failed',
          ),
        ],
      },
    ]);
    if (doc === undefined) throw new Error('the reporter wrote nothing');
    const section = doc.slice(doc.indexOf('## MCP conformance'), doc.indexOf('## How this file is made'));
    expect(section.split('\n').filter((line) => line.startsWith('| `'))).toEqual([
      '| `ping` | pass |  |',
      '| `tools-list` | FAIL |  |',
      '| `resources-subscribe` | UNEXPECTED (see the test) | not \\| served |',
      '| `tools-call-image` | fails (as expected) | tool names are prefixed |',
    ]);
    expect(section).toContain('1 of 4 scenarios pass.');
    expect(doc).toContain('1 cell tests, 1 passed, 0 failed');
  });

  it('the prompt-cache hints section has a row for every provider the cache-hint fixtures test, and cites fixtures that exist', async () => {
    const doc = await runReporter([{ testFilePath: chatFile, testResults: [test('openai-chat front door x openai provider: text')] }]);
    if (doc === undefined) throw new Error('the reporter wrote nothing');
    const section = doc.slice(doc.indexOf('## Prompt-cache hints'), doc.indexOf('## Other endpoints'));
    const cited = [...section.matchAll(/`(gateway\/src\/wire\/[a-z-]+\/__fixtures__\/cache-hints\.json)`/g)].map((m) => m[1] as string);
    expect(cited).toHaveLength(4);
    const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| provider') && !line.startsWith('| ---'));
    for (const file of cited) {
      const fixture = JSON.parse(await readFile(join(repoRoot, file), 'utf8')) as {
        cases: Array<{ expect?: Record<string, unknown>; absent?: Record<string, unknown> }>;
      };
      const providers = new Set(fixture.cases.flatMap((c) => [...Object.keys(c.expect ?? {}), ...Object.keys(c.absent ?? {})]));
      // An OpenAI-compatible host is covered by the shared row.
      for (const provider of providers) {
        const row = provider === 'groq' ? 'OpenAI-compatible' : `\`${provider}\``;
        expect(rows.some((line) => line.startsWith(`| ${row}`))).toBe(true);
      }
    }
  });

  it('a run without any cell test leaves the existing document alone', async () => {
    const existing = '# the previous matrix\n';
    const doc = await runReporter(
      [{ testFilePath: 'gateway/dist/test/core/routing.test.js', testResults: [test('routing weights: a 3:1 split')] }],
      existing,
    );
    expect(doc).toBe(existing);
  });

  it('a filtered run (not the whole suite from scripts/test.sh) leaves the document alone', async () => {
    const existing = '# the previous matrix\n';
    const before = process.env.SWITCHYARD_FULL_TEST_RUN;
    try {
      process.env.SWITCHYARD_FULL_TEST_RUN = '0';
      const cells = [{ testFilePath: chatFile, testResults: [test('openai-chat front door x openai provider: text')] }];
      expect(await runReporter(cells, existing, true)).toBe(existing);
      process.env.SWITCHYARD_FULL_TEST_RUN = '1';
      expect(await runReporter(cells, existing, true)).toContain('| `openai-chat` |');
    } finally {
      if (before === undefined) delete process.env.SWITCHYARD_FULL_TEST_RUN;
      else process.env.SWITCHYARD_FULL_TEST_RUN = before;
    }
  });

  it('skipped cell tests alone do not count as a matrix run', async () => {
    const doc = await runReporter([
      { testFilePath: chatFile, testResults: [test('openai-chat front door x openai provider: text', 'skipped')] },
    ]);
    expect(doc).toBeUndefined();
  });

  it('a front-door test file that failed to run is named, so its cells are not silently untested', async () => {
    const doc = await runReporter([
      { testFilePath: chatFile, testResults: [test('openai-chat front door x mock provider: text')] },
      {
        testFilePath: 'gateway/dist/test/frontdoors/gemini/rig.test.js',
        testResults: [],
        testExecError: { message: 'Cannot find module ./gone.js\n    at stack' },
      },
    ]);
    expect(doc).toContain('- `gateway/dist/test/frontdoors/gemini/rig.test.js`: Cannot find module ./gone.js');
    expect(doc).not.toContain('at stack');
  });
});
