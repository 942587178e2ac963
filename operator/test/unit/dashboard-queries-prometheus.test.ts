// The chart's dashboard and alert rules run in a real Prometheus: it scrapes a running gateway
// (which served a few requests) and the operator's metrics registry, loads the shipped rules file,
// and every dashboard query (Grafana variables filled in as Grafana would) must evaluate without
// error, the core panels with data. Needs the `prometheus` binary (Debian package `prometheus`);
// the suite is skipped, with a line saying so, where it is not installed.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { OperatorMetrics } from '../../src/observe/operator-metrics.js';
import { startExampleGateway, type LoggedProcess } from '../support/child-process.js';
import { findFreePorts } from '../support/free-ports.js';
import { repoRoot } from '../support/repo-paths.js';
import { waitFor } from '../support/wait-for.js';

const DASHBOARD = join(repoRoot, 'charts', 'switchyard', 'dashboards', 'switchyard.json');
const RULES = join(repoRoot, 'charts', 'switchyard', 'alerts', 'switchyard.rules.yaml');
const DEMO_KEY = 'sk-sy-demo0000000000000000000000000000';
const NAMESPACE = 'ai';

function prometheusBinary(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
const PROMETHEUS = prometheusBinary();
const describeWithPrometheus = PROMETHEUS ? describe : describe.skip;
if (!PROMETHEUS) console.warn('SKIPPED dashboard queries in Prometheus: no `prometheus` on PATH (Debian: apt-get install prometheus)');

interface Panel {
  title: string;
  type: string;
  targets?: Array<{ expr: string }>;
}

/** What Grafana sends for the dashboard's variables with namespace "ai" and route "All". */
function fillVariables(expr: string): string {
  return expr
    .replaceAll('$namespace', NAMESPACE)
    .replaceAll('$route', '.*')
    .replaceAll('$__rate_interval', '15s')
    .replaceAll('$__range', '5m');
}

interface QueryAnswer {
  status: string;
  error?: string;
  data?: { result: unknown[] };
}

describeWithPrometheus('the chart dashboard and alert rules in Prometheus', () => {
  let scratch: string;
  let gateway: LoggedProcess | undefined;
  let operatorServer: Server | undefined;
  let prometheus: ChildProcess | undefined;
  let prometheusOutput = '';
  let prometheusUrl: string;
  let panels: Panel[];
  let ruleCount: number;

  async function query(expr: string): Promise<QueryAnswer> {
    const response = await fetch(`${prometheusUrl}/api/v1/query?${new URLSearchParams({ query: expr })}`);
    return (await response.json()) as QueryAnswer;
  }

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'switchyard-prometheus-'));
    gateway = startExampleGateway(join(scratch, 'audit.jsonl'));
    const listening = await gateway.waitForRecord((record) => record['msg'] === 'listening', 30_000);
    const gatewayUrl = `http://127.0.0.1:${String(listening['port'])}`;
    const send = (body: object, key = DEMO_KEY): Promise<Response> =>
      fetch(`${gatewayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    // Traffic for the panels: plain and streamed answers (time to first token), and a refusal.
    for (let i = 0; i < 3; i++) {
      const plain = await send({ model: 'mock-gpt', messages: [{ role: 'user', content: `hello ${i}` }] });
      expect(plain.status).toBe(200);
      await plain.text();
      const streamed = await send({ model: 'mock-gpt', stream: true, messages: [{ role: 'user', content: `stream ${i}` }] });
      expect(streamed.status).toBe(200);
      await streamed.text();
    }
    await (await send({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] })).text();

    // The operator's real registry, in the state of a leader serving table 7 to one gateway.
    const operator = new OperatorMetrics();
    operator.leader.set(1);
    operator.tableVersion.set(7);
    operator.acknowledgedVersion.set(7);
    operator.connectedGateways.set(1);
    operator.compiles.inc({ result: 'changed' });
    operator.reconciles.inc({ result: 'success' });
    operator.compileDuration.observe(0.01);
    operatorServer = createServer((_request, response) => {
      void operator.render().then((text) => response.writeHead(200, { 'content-type': operator.registry.contentType }).end(text));
    });
    const [operatorPort, prometheusPort] = await findFreePorts(2);
    await new Promise<void>((resolve) => operatorServer?.listen(operatorPort, '127.0.0.1', resolve));

    const scrape = (job: string, port: number | undefined, pod: string): object => ({
      job_name: job,
      scrape_interval: '1s',
      static_configs: [{ targets: [`127.0.0.1:${String(port)}`], labels: { namespace: NAMESPACE, pod } }],
    });
    const config = {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [RULES],
      scrape_configs: [
        scrape('gateway', Number(listening['adminPort']), 'sy-switchyard-gateway-0'),
        scrape('operator', operatorPort, 'sy-switchyard-operator-0'),
      ],
    };
    await writeFile(join(scratch, 'prometheus.yml'), JSON.stringify(config));
    prometheusUrl = `http://127.0.0.1:${String(prometheusPort)}`;
    prometheus = spawn(
      PROMETHEUS as string,
      [
        `--config.file=${join(scratch, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(scratch, 'data')}`,
        `--web.listen-address=127.0.0.1:${String(prometheusPort)}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout?.on('data', (chunk: Buffer) => (prometheusOutput += chunk.toString()));
    prometheus.stderr?.on('data', (chunk: Buffer) => (prometheusOutput += chunk.toString()));
    await waitFor(
      'Prometheus ready',
      async () => {
        if (prometheus?.exitCode !== null) throw new Error(`prometheus exited:\n${prometheusOutput.slice(-3000)}`);
        const ready = await fetch(`${prometheusUrl}/-/ready`).catch(() => undefined);
        return ready?.status === 200;
      },
      30_000,
    );
    // Enough samples for rate() over the dashboard's interval on both targets.
    await waitFor(
      'six scrapes of both targets',
      async () => {
        const answer = await query('count_over_time(up[1m]) >= 6');
        return answer.data?.result.length === 2;
      },
      45_000,
    );

    panels = (JSON.parse(await readFile(DASHBOARD, 'utf8')) as { panels: Panel[] }).panels.filter((panel) => panel.type !== 'row');
    ruleCount = (parse(await readFile(RULES, 'utf8')) as { groups: Array<{ rules: unknown[] }> }).groups.reduce(
      (sum, group) => sum + group.rules.length,
      0,
    );
  }, 120_000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus?.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await new Promise((resolve) => (operatorServer ? operatorServer.close(resolve) : resolve(undefined)));
    await gateway?.stop();
    await rm(scratch, { recursive: true, force: true });
  }, 30_000);

  it('scrapes both targets', async () => {
    const up = await query('up == 1');
    expect(up.data?.result.length).toBe(2);
  });

  it('refuses a malformed query (so the checks below can fail)', async () => {
    const answer = await query(fillVariables('sum by (route) (rate(switchyard_requests_total{namespace=~"$namespace"}[$__rate_interval])'));
    expect(answer.status).toBe('error');
  });

  it('evaluates every dashboard query without error', async () => {
    const failures: string[] = [];
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        const answer = await query(fillVariables(target.expr));
        if (answer.status !== 'success') failures.push(`${panel.title}: ${answer.error ?? answer.status}: ${target.expr}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('has data for the core panels', async () => {
    const empty: string[] = [];
    for (const title of [
      'Requests/s by route',
      'Requests/s by status',
      'Tokens/s by direction',
      'Request duration p50 / p95 / p99',
      'Time to first token p50 / p95 / p99',
      'Cost USD/s by route',
      'Budget burn (spent / limit)',
      'Budget spend vs limit',
      'Leader',
      'Connected gateways',
      'Table version: served vs acknowledged',
      'Gateways by table hash',
      'Running builds',
    ]) {
      const panel = panels.find((candidate) => candidate.title === title);
      if (panel === undefined) {
        empty.push(`${title}: no such panel`);
        continue;
      }
      const expr = fillVariables((panel.targets ?? [])[0]?.expr ?? '');
      const answer = await query(expr);
      if (answer.status !== 'success' || (answer.data?.result.length ?? 0) === 0) empty.push(`${title}: ${expr}`);
    }
    expect(empty).toEqual([]);
  });

  it('the namespace and route variables list values', async () => {
    const values = async (label: string, match: string): Promise<string[]> => {
      const response = await fetch(`${prometheusUrl}/api/v1/label/${label}/values?${new URLSearchParams({ 'match[]': match })}`);
      return ((await response.json()) as { data: string[] }).data;
    };
    expect(await values('namespace', 'switchyard_build_info')).toEqual([NAMESPACE]);
    expect((await values('route', `switchyard_requests_total{namespace=~"${NAMESPACE}"}`)).length).toBeGreaterThan(0);
  });

  it('loads every shipped alert rule and evaluates each without error', async () => {
    await waitFor(
      'every rule evaluated',
      async () => {
        const answer = (await (await fetch(`${prometheusUrl}/api/v1/rules`)).json()) as {
          data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string; lastEvaluation: string }> }> };
        };
        const rules = answer.data.groups.flatMap((group) => group.rules);
        if (rules.some((rule) => rule.lastEvaluation.startsWith('0001-'))) return false;
        expect(rules.length).toBe(ruleCount);
        expect(rules.filter((rule) => rule.health !== 'ok').map((rule) => `${rule.name}: ${rule.lastError ?? rule.health}`)).toEqual([]);
        return true;
      },
      30_000,
    );
  }, 40_000);
});
