// The chart's Grafana dashboard and PrometheusRule may only read metrics that the processes
// really export: every PromQL expression is tokenized for metric names, and each must be
// registered by the operator (its OperatorMetrics, built here) or the gateway (a real gateway
// process, its admin /metrics scraped), histograms counted with their _bucket/_sum/_count series.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { OperatorMetrics } from '../../src/observe/operator-metrics.js';
import { startExampleGateway, type LoggedProcess } from '../support/child-process.js';
import { grafanaVariableNames, isExported, promqlNames, typesFromExposition, type PromqlNames } from '../support/promql-metric-names.js';
import { repoRoot } from '../support/repo-paths.js';

const DASHBOARD = join(repoRoot, 'charts', 'switchyard', 'dashboards', 'switchyard.json');
const RULES = join(repoRoot, 'charts', 'switchyard', 'alerts', 'switchyard.rules.yaml');

interface Query {
  where: string;
  names: PromqlNames;
}

/** Every `expr` of every panel target (rows and nested panels included) and every variable query. */
function dashboardQueries(dashboard: unknown): Query[] {
  const queries: Query[] = [];
  const visit = (node: unknown, where: string): void => {
    if (Array.isArray(node)) {
      for (const [index, child] of node.entries()) visit(child, `${where}[${index}]`);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const title = typeof record['title'] === 'string' ? ` "${record['title']}"` : '';
    for (const [field, value] of Object.entries(record)) {
      if (field === 'expr' && typeof value === 'string') queries.push({ where: `${where}${title}`, names: promqlNames(value) });
      else visit(value, `${where}${title}.${field}`);
    }
  };
  const root = dashboard as { panels?: unknown; templating?: { list?: Array<Record<string, unknown>> } };
  visit(root.panels, 'panels');
  for (const variable of root.templating?.list ?? []) {
    if (variable['type'] !== 'query') continue;
    const query = variable['query'];
    const text = typeof query === 'string' ? query : (query as { query?: unknown } | undefined)?.query;
    if (typeof text !== 'string') throw new Error(`variable ${String(variable['name'])} has no query text`);
    queries.push({ where: `variable $${String(variable['name'])}`, names: grafanaVariableNames(text) });
  }
  return queries;
}

function ruleQueries(rules: unknown): Query[] {
  const groups = (rules as { groups?: Array<{ name: string; rules: Array<{ alert?: string; record?: string; expr: string }> }> }).groups;
  if (!Array.isArray(groups) || groups.length === 0) throw new Error('the rules file has no groups');
  return groups.flatMap((group) =>
    group.rules.map((rule) => ({ where: `${group.name}/${rule.alert ?? rule.record}`, names: promqlNames(String(rule.expr)) })),
  );
}

/** "where: name" for every metric no process exports and every function PromQL does not have. */
function problems(queries: Query[], types: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const { where, names } of queries) {
    for (const name of names.metrics) if (!isExported(name, types)) found.push(`${where}: metric ${name} is not exported`);
    for (const name of names.unknownFunctions) found.push(`${where}: ${name}() is not a PromQL function`);
  }
  return found;
}

describe('metric names read by the chart dashboard and alert rules', () => {
  const types = new Map<string, string>();
  let gateway: LoggedProcess | undefined;
  let scratch: string;
  let dashboardText: string;
  let rulesText: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'switchyard-dashboard-'));
    gateway = startExampleGateway(join(scratch, 'audit.jsonl'));
    const listening = await gateway.waitForRecord((record) => record['msg'] === 'listening', 30_000);
    const scraped = await fetch(`http://127.0.0.1:${String(listening['adminPort'])}/metrics`);
    expect(scraped.status).toBe(200);
    for (const [name, type] of typesFromExposition(await scraped.text())) types.set(name, type);
    const operator = new OperatorMetrics();
    for (const metric of await operator.registry.getMetricsAsJSON()) types.set(metric.name, String(metric.type));
    dashboardText = await readFile(DASHBOARD, 'utf8');
    rulesText = await readFile(RULES, 'utf8');
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('found the registries of both processes', () => {
    // A broken scrape would make every name look unknown; these anchor that both sides were read.
    expect(types.get('switchyard_requests_total')).toBe('counter');
    expect(types.get('switchyard_request_duration_seconds')).toBe('histogram');
    expect(types.get('switchyard_cost_usd_total')).toBe('counter');
    expect(types.get('switchyard_audit_records_dropped_total')).toBe('counter');
    expect(types.get('switchyard_operator_leader')).toBe('gauge');
  });

  it('the dashboard reads only exported metrics', () => {
    const queries = dashboardQueries(JSON.parse(dashboardText));
    expect(queries.length).toBeGreaterThan(30);
    expect(problems(queries, types)).toEqual([]);
  });

  it('the dashboard covers traffic, latency, errors, cost, budgets, limits, guardrails, MCP, cache and the operator', () => {
    const read = new Set(dashboardQueries(JSON.parse(dashboardText)).flatMap((query) => query.names.metrics));
    for (const name of [
      'switchyard_requests_total',
      'switchyard_request_duration_seconds_bucket',
      'switchyard_time_to_first_token_seconds_bucket',
      'switchyard_upstream_errors_total',
      'switchyard_cost_usd_total',
      'switchyard_budget_spent_usd',
      'switchyard_budget_limit_usd',
      'switchyard_rate_limited_total',
      'switchyard_guardrail_decisions_total',
      'switchyard_mcp_tool_calls_total',
      'switchyard_cache_requests_total',
      'switchyard_operator_leader',
      'switchyard_operator_table_version',
      'switchyard_operator_reconciles_total',
    ]) {
      expect({ name, read: read.has(name) }).toEqual({ name, read: true });
    }
  });

  it('the PrometheusRule rules read only exported metrics', () => {
    const queries = ruleQueries(parse(rulesText));
    expect(queries.length).toBeGreaterThan(20);
    expect(problems(queries, types)).toEqual([]);
  });

  it('a misspelled metric or function in the dashboard or the rules fails the check', () => {
    const misspelledDashboard = dashboardText.replace(
      'switchyard_time_to_first_token_seconds_bucket',
      'switchyard_time_to_first_token_second_bucket',
    );
    expect(problems(dashboardQueries(JSON.parse(misspelledDashboard)), types)).toEqual([
      expect.stringContaining('metric switchyard_time_to_first_token_second_bucket is not exported'),
    ]);
    const misspelledRules = rulesText
      .replace('switchyard_redis_up', 'switchyard_redis_upp')
      .replace('rate(switchyard_governance_degraded_total', 'rat(switchyard_governance_degraded_total');
    expect(problems(ruleQueries(parse(misspelledRules)), types)).toEqual([
      'switchyard-governance/SwitchyardRedisDown: metric switchyard_redis_upp is not exported',
      'switchyard-governance/SwitchyardGovernanceDegraded: rat() is not a PromQL function',
    ]);
  });

  it('counts _bucket only for histograms', () => {
    expect(isExported('switchyard_request_duration_seconds_count', types)).toBe(true);
    expect(isExported('switchyard_requests_total_bucket', types)).toBe(false);
    expect(isExported('switchyard_request_duration_seconds', types)).toBe(true);
  });
});

describe('promqlNames', () => {
  it('skips label matchers, ranges, strings, numbers, keywords and variables', () => {
    expect(
      promqlNames(
        'sum by (route, le) (rate(a_total{x="}{[", y=~"$v"}[5m] offset 1h)) / on (pod) group_left (z) b > bool 1e3 and c:rec unless ${var} - time() < 7 * 86400',
      ),
    ).toEqual({ metrics: ['a_total', 'b', 'c:rec'], unknownFunctions: [] });
  });

  it('reports an unknown function instead of taking it for a metric', () => {
    expect(promqlNames('rat(x[5m])')).toEqual({ metrics: ['x'], unknownFunctions: ['rat'] });
  });

  it('refuses unbalanced brackets', () => {
    expect(() => promqlNames('sum(rate(x[5m])')).toThrow('unbalanced (');
    expect(() => promqlNames('sum(rate(x[5m])))')).toThrow('unbalanced )');
    expect(() => promqlNames('x{a="b"')).toThrow('unbalanced {');
    expect(() => promqlNames('x[5m')).toThrow('unbalanced [');
    expect(() => promqlNames('x}')).toThrow('unbalanced }');
  });

  it('reads the selector of label_values, not the label', () => {
    expect(grafanaVariableNames('label_values(m_total{namespace=~"$namespace"}, route)').metrics).toEqual(['m_total']);
    expect(grafanaVariableNames('label_values(namespace)').metrics).toEqual([]);
  });
});
