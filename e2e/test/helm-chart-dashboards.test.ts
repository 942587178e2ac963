// The chart's Grafana dashboard ConfigMap (dashboards.*) and PrometheusRule (prometheusRule.*):
// off by default, rendered as the Grafana sidecar and the Prometheus Operator expect when on, and
// the shipped alert rules equal to the ones docs/operating.md suggests. Which metrics the
// queries read is checked against the real registries in operator/test/unit/dashboard-metric-names.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import {
  CHART_DIR,
  findDoc,
  helm,
  helmPath,
  NAMESPACE,
  RELEASE,
  REPO_ROOT,
  renderChart,
  skipNotice,
  type KubeDoc,
} from './helm-chart-support.js';
import { jsonPath } from './support/json-path.js';

const describeWithHelm = helmPath() ? describe : describe.skip;
if (!helmPath()) skipNotice('helm chart dashboard and PrometheusRule tests');

const DASHBOARD_FILE = join(CHART_DIR, 'dashboards', 'switchyard.json');
const RULES_FILE = join(CHART_DIR, 'alerts', 'switchyard.rules.yaml');
const CONFIGMAP = `${RELEASE}-switchyard-dashboards`;
const RULE = `${RELEASE}-switchyard`;

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleGroup {
  name: string;
  rules: Rule[];
}

function chartRuleGroups(): RuleGroup[] {
  return (parse(readFileSync(RULES_FILE, 'utf8')) as { groups: RuleGroup[] }).groups;
}

/** The yaml block under "## Suggested alert rules" in docs/operating.md, parsed. */
function documentedRuleGroups(): RuleGroup[] {
  const docs = readFileSync(join(REPO_ROOT, 'docs', 'operating.md'), 'utf8');
  const section = docs.split(/^## Suggested alert rules$/m)[1]?.split(/^## /m)[0];
  if (section === undefined) throw new Error('docs/operating.md has no "## Suggested alert rules" section');
  const block = /^```yaml\n([\s\S]*?)^```$/m.exec(section);
  if (block === null) throw new Error('the "Suggested alert rules" section has no yaml block');
  return (parse(block[1] as string) as { groups: RuleGroup[] }).groups;
}

function alertNames(groups: RuleGroup[]): string[] {
  return groups.flatMap((group) => group.rules.map((rule) => rule.alert));
}

function promRuleGroups(doc: KubeDoc): RuleGroup[] {
  const groups = jsonPath(doc, 'spec', 'groups');
  if (!Array.isArray(groups)) throw new Error('PrometheusRule without spec.groups');
  return groups as RuleGroup[];
}

describe('alert rules: docs/operating.md and the chart', () => {
  it('ship the same rules (expressions, durations, labels, annotations) in the same groups', () => {
    const documented = documentedRuleGroups();
    expect(alertNames(documented).length).toBeGreaterThan(20);
    expect(chartRuleGroups()).toEqual(documented);
  });
});

describeWithHelm('helm chart: dashboards and PrometheusRule', () => {
  let dashboardFile: unknown;

  beforeAll(() => {
    dashboardFile = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8'));
  });

  it('renders neither by default', async () => {
    const docs = await renderChart();
    expect(docs.filter((doc) => doc.kind === 'PrometheusRule' || doc.metadata.name === CONFIGMAP)).toEqual([]);
  }, 60_000);

  it('dashboards.enabled renders a ConfigMap with the sidecar label and the dashboard JSON', async () => {
    const docs = await renderChart(['--set', 'dashboards.enabled=true']);
    const configMap = findDoc(docs, 'ConfigMap', CONFIGMAP);
    expect(configMap.metadata.namespace).toBe(NAMESPACE);
    expect(configMap.metadata.labels?.['grafana_dashboard']).toBe('1');
    expect(configMap.metadata.labels?.['app.kubernetes.io/part-of']).toBe('switchyard');
    expect(Object.keys(jsonPath(configMap, 'data') as object)).toEqual(['switchyard.json']);
    const dashboard: unknown = JSON.parse(String(jsonPath(configMap, 'data', 'switchyard.json')));
    // Shipped unchanged: helm must not have evaluated Grafana's {{route}} legends.
    expect(dashboard).toEqual(dashboardFile);
    expect(JSON.stringify(dashboard)).toContain('{{route}}');
    expect(docs.some((doc) => doc.kind === 'PrometheusRule')).toBe(false);
  }, 60_000);

  it('the dashboard has datasource, namespace and route variables and every query uses the chosen datasource', () => {
    const variables = jsonPath(dashboardFile, 'templating', 'list') as Array<{ name: string; type: string }>;
    expect(variables.map((variable) => `${variable.name}:${variable.type}`)).toEqual([
      'datasource:datasource',
      'namespace:query',
      'route:query',
    ]);
    const panels = (jsonPath(dashboardFile, 'panels') as Array<Record<string, unknown>>).filter((panel) => panel['type'] !== 'row');
    expect(panels.length).toBeGreaterThan(20);
    for (const panel of panels) {
      const targets = panel['targets'] as Array<{ expr: string; datasource: { uid: string } }>;
      expect({ title: panel['title'], uid: jsonPath(panel, 'datasource', 'uid'), targets: targets.length > 0 }).toEqual({
        title: panel['title'],
        uid: '${datasource}',
        targets: true,
      });
      for (const target of targets) {
        expect(target.datasource.uid).toBe('${datasource}');
        expect({ title: panel['title'], expr: target.expr, namespaced: target.expr.includes('namespace=~"$namespace"') }).toEqual({
          title: panel['title'],
          expr: target.expr,
          namespaced: true,
        });
      }
    }
  });

  it('dashboards.* sets the namespace, the sidecar label key and value, labels and annotations', async () => {
    const docs = await renderChart([
      '--set',
      'dashboards.enabled=true',
      '--set',
      'dashboards.namespace=monitoring',
      '--set',
      'dashboards.label=grafana_dashboard_switchyard',
      '--set-string',
      'dashboards.labelValue=yes',
      '--set',
      'dashboards.labels.team=platform',
      '--set',
      'dashboards.annotations.grafana_folder=Switchyard',
    ]);
    const configMap = findDoc(docs, 'ConfigMap', CONFIGMAP);
    expect(configMap.metadata.namespace).toBe('monitoring');
    expect(configMap.metadata.labels?.['grafana_dashboard_switchyard']).toBe('yes');
    expect(configMap.metadata.labels?.['grafana_dashboard']).toBeUndefined();
    expect(configMap.metadata.labels?.['team']).toBe('platform');
    expect(configMap.metadata.annotations).toEqual({ grafana_folder: 'Switchyard' });
  }, 60_000);

  it('prometheusRule.enabled renders the shipped rules, unevaluated by helm', async () => {
    const docs = await renderChart(['--set', 'prometheusRule.enabled=true', '--set', 'prometheusRule.labels.release=prometheus']);
    const rule = findDoc(docs, 'PrometheusRule', RULE);
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata.namespace).toBe(NAMESPACE);
    expect(rule.metadata.labels?.['release']).toBe('prometheus');
    expect(promRuleGroups(rule)).toEqual(chartRuleGroups());
    expect(JSON.stringify(promRuleGroups(rule))).toContain('{{ $labels.route }}');
    expect(docs.some((doc) => doc.metadata.name === CONFIGMAP)).toBe(false);
  }, 60_000);

  it('prometheusRule.* adds rule labels, leaves out disabled alerts and appends extra groups', async () => {
    const values = {
      prometheusRule: {
        enabled: true,
        namespace: 'monitoring',
        annotations: { owner: 'sre' },
        ruleLabels: { team: 'ml-platform', severity: 'overridden?' },
        disabledAlerts: ['SwitchyardRedisDown', 'SwitchyardGovernanceDegraded'],
        extraGroups: [{ name: 'mine', rules: [{ alert: 'MyAlert', expr: 'vector(1) > 0', labels: { severity: 'info' } }] }],
      },
    };
    const docs = await renderChart(['--set-json', `prometheusRule=${JSON.stringify(values.prometheusRule)}`]);
    const rule = findDoc(docs, 'PrometheusRule', RULE);
    expect(rule.metadata.namespace).toBe('monitoring');
    expect(rule.metadata.annotations).toEqual({ owner: 'sre' });
    const groups = promRuleGroups(rule);
    const shipped = chartRuleGroups();
    expect(alertNames(groups)).toEqual([
      ...alertNames(shipped).filter((name) => !values.prometheusRule.disabledAlerts.includes(name)),
      'MyAlert',
    ]);
    const shippedByName = new Map(shipped.flatMap((group) => group.rules.map((shippedRule) => [shippedRule.alert, shippedRule])));
    for (const rendered of groups.slice(0, -1).flatMap((group) => group.rules)) {
      const original = shippedByName.get(rendered.alert) as Rule;
      // The rule's own severity wins; the extra label is added; the rest is untouched.
      expect(rendered).toEqual({ ...original, labels: { ...original.labels, team: 'ml-platform' } });
    }
    expect(groups.at(-1)).toEqual(values.prometheusRule.extraGroups[0]);
  }, 60_000);

  it('the values schema refuses malformed dashboard and rule values', async () => {
    for (const bad of [
      ['--set', 'dashboards.enabled=yes'],
      ['--set', 'dashboards.label=bad label'],
      ['--set', 'prometheusRule.unknown=1'],
      ['--set-json', 'prometheusRule.extraGroups=[{"rules":[]}]'],
    ]) {
      const result = await helm(['template', RELEASE, CHART_DIR, '--namespace', NAMESPACE, ...bad]);
      expect({ bad, code: result.code === 0 ? 0 : 1, schema: /schema/i.test(result.stderr) }).toEqual({ bad, code: 1, schema: true });
    }
  }, 60_000);
});
