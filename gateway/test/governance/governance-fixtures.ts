// Manifest builders and helpers for the governance tests: keys with rate limits and labels,
// Budgets, priced mock backends, the test clock file, scraping metrics.
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_VERSION } from '../core/core-fixtures.js';
import type { GatewayProcess } from '../support/gateway-process.js';

export {
  API_VERSION,
  documents,
  HELLO,
  mockBackend,
  openAIBackend,
  openAIClient,
  postJson,
  routeObject,
  secretObject,
  testKey,
} from '../core/core-fixtures.js';

export interface GovernedKeySpec {
  name: string;
  key: string;
  namespace?: string;
  labels?: Record<string, string>;
  rateLimit?: { requestsPerMinute?: number; tokensPerMinute?: number; concurrentRequests?: number };
  allowedModels?: string[];
}

export function governedKey(spec: GovernedKeySpec): unknown[] {
  const namespace = spec.namespace ?? 'default';
  const vkSpec: Record<string, unknown> = { secretName: `${spec.name}-key` };
  if (spec.rateLimit !== undefined) vkSpec.rateLimit = spec.rateLimit;
  if (spec.allowedModels !== undefined) vkSpec.allowedModels = spec.allowedModels;
  return [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: `${spec.name}-key`, namespace }, stringData: { key: spec.key } },
    { apiVersion: API_VERSION, kind: 'VirtualKey', metadata: { name: spec.name, namespace, labels: spec.labels ?? {} }, spec: vkSpec },
  ];
}

export interface BudgetSpec {
  name: string;
  namespace?: string;
  matchLabels: Record<string, string>;
  limit: string;
  period?: 'Daily' | 'Weekly' | 'Monthly' | 'Total';
  enforcement?: 'Block' | 'Warn';
  reservation?: 'Strict' | 'Tokenized';
}

export function budgetObject(spec: BudgetSpec): unknown {
  return {
    apiVersion: API_VERSION,
    kind: 'Budget',
    metadata: { name: spec.name, namespace: spec.namespace ?? 'default' },
    spec: {
      selector: { matchLabels: spec.matchLabels },
      limit: spec.limit,
      period: spec.period ?? 'Monthly',
      enforcement: spec.enforcement ?? 'Block',
      ...(spec.reservation === undefined ? {} : { reservation: spec.reservation }),
    },
  };
}

/** About 40,000 characters of English prose: some 9,000 tokens for gpt-4o, 4.5 times fewer than its UTF-8 bytes. */
export const ENGLISH_PROMPT = Array.from(
  { length: 400 },
  (_, i) => `Paragraph ${i}: the committee reviewed the quarterly budget, the hiring plan and the travel policy before the vote. `,
).join('');

/** A mock backend with a price override; the mock answers `response` (default "ok", 1 output token). */
export function pricedMockBackend(
  name: string,
  pricing: { inputPerMillion: string; outputPerMillion: string; cachedInputPerMillion?: string },
  options: { response?: string; latency?: string } = {},
): Record<string, unknown> {
  const mock: Record<string, unknown> = { response: options.response ?? 'ok' };
  if (options.latency !== undefined) mock.latency = options.latency;
  return { name, provider: 'mock', model: `${name}-model`, mock, pricing };
}

/** A scratch directory for state files and clock files that outlives one gateway process. */
export async function scratchDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'switchyard-governance-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** The injectable clock: the gateway reads this file on every governance decision (NODE_ENV=test). */
export class TestClock {
  constructor(readonly file: string) {}

  static async at(dir: string, iso: string): Promise<TestClock> {
    const clock = new TestClock(join(dir, 'clock.txt'));
    await clock.set(iso);
    return clock;
  }

  /** Atomic (write, then rename): the gateway reads the file on every request and must never see it half-written. */
  async set(iso: string): Promise<void> {
    const staging = `${this.file}.${process.pid}.tmp`;
    await writeFile(staging, iso);
    await rename(staging, this.file);
  }

  env(): Record<string, string> {
    return { NODE_ENV: 'test', SWITCHYARD_TEST_CLOCK_FILE: this.file };
  }
}

/** One sample of a metric (first match of name and every label given), or undefined. */
export async function metricValue(gateway: GatewayProcess, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([label, value]) => line.includes(`${label}="${value}"`)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/** Parsed JSON log lines the gateway wrote so far. */
export function logRecords(gateway: GatewayProcess): Array<Record<string, unknown>> {
  const records: Array<Record<string, unknown>> = [];
  for (const line of gateway.logs().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      records.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line cut by the buffer boundary
    }
  }
  return records;
}
