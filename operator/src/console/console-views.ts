// The console's views, rendered on the server from the operator's own watch caches (no API call
// per page view). Each view returns its HTML and the "live" values in it: the page's script asks
// for those every few seconds and updates them in place; when the set of rows changes (an object
// added, removed, or a namespace becoming visible) the signature changes and the page reloads.
// Only chosen fields are shown, never a spec or status wholesale: a VirtualKey shows its key hint,
// never the key; headers, URLs and credential references are not shown at all.
import { budgetPeriodStartMs, nextBudgetPeriodStartMs, type BudgetPeriod } from '@switchyard/compiler';
import type { CrObject } from '../reconcile/kind-watches.js';
import type { GatewayTrafficStore, RouteTrafficView } from './gateway-traffic.js';

/** What the console reads of the gateways' traffic reports. */
export type TrafficSource = Pick<GatewayTrafficStore, 'routes' | 'keys' | 'backendStates' | 'recent' | 'gatewayCount'>;

/** Rows of the recent-requests view: fixed, so new requests update the rows in place instead of reloading the page. */
const RECENT_ROWS = 50;
/** Requests read to fill those rows: enough that a viewer of one namespace still sees its own among others'. */
const TRAFFIC_RECENT_SCAN = 2_000;

type Tone = 'ok' | 'bad' | 'unknown';

/** What the console reads from the operator. */
export interface ConsoleSource {
  /** Objects of a kind the user may list, status included. */
  visible(kind: string): Promise<CrObject[]>;
  /** Those of `namespaces` in which the user may list `kind`. */
  namespacesVisible(kind: string, namespaces: string[]): Promise<Set<string>>;
  /** The gateways' traffic reports; absent when no gateway reports to this operator. */
  traffic?: TrafficSource;
  tableVersion: number | undefined;
  /** Gateways streaming from this replica. */
  gatewaysConnected: number;
  synced: boolean;
  now: number;
}

export interface RenderedView {
  title: string;
  html: string;
  live: Record<string, [string, Tone?]>;
  signature: string;
}

export const VIEWS = {
  overview: { path: '/', label: 'Overview' },
  routes: { path: '/routes', label: 'Routes' },
  keys: { path: '/keys', label: 'Keys' },
  budgets: { path: '/budgets', label: 'Budgets' },
  requests: { path: '/requests', label: 'Recent requests' },
  'mcp-servers': { path: '/mcp-servers', label: 'MCP servers' },
  'guardrail-policies': { path: '/guardrail-policies', label: 'Guardrail policies' },
} as const;
export type ViewName = keyof typeof VIEWS;

const KINDS = ['ModelRoute', 'VirtualKey', 'Budget', 'MCPServer', 'GuardrailPolicy'] as const;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

type Obj = CrObject;
type Condition = { type?: string; status?: string; reason?: string; message?: string };

function spec(object: Obj): Record<string, unknown> {
  return (object.spec ?? {}) as Record<string, unknown>;
}
function status(object: Obj): Record<string, unknown> {
  return object.status ?? {};
}
function conditions(object: Obj): Condition[] {
  const list = status(object).conditions;
  return Array.isArray(list) ? (list as Condition[]) : [];
}
function conditionStatus(object: Obj, type: string): string {
  return conditions(object).find((c) => c.type === type)?.status ?? 'Unknown';
}
/** Conditions whose True is bad news; every other managed condition is good when True. */
const NEGATIVE_CONDITIONS = new Set(['Exceeded', 'PriceUnknown']);
function tone(type: string, value: string): Tone {
  if (value !== 'True' && value !== 'False') return 'unknown';
  return (value === 'True') !== NEGATIVE_CONDITIONS.has(type) ? 'ok' : 'bad';
}
function keyOf(object: Obj): string {
  return `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}
function byName(a: Obj, b: Obj): number {
  return (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name);
}
function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** Collects the live values while a view renders. */
class Live {
  readonly values: Record<string, [string, Tone?]> = {};
  text(key: string, text: string, extraClass = ''): string {
    this.values[key] = [text];
    return `<span data-live="${escapeHtml(key)}"${extraClass ? ` class="${extraClass}"` : ''}>${escapeHtml(text)}</span>`;
  }
  badge(key: string, type: string, value: string): string {
    const t = tone(type, value);
    this.values[key] = [value, t];
    return `<span class="badge" data-tone="${t}" data-live="${escapeHtml(key)}">${escapeHtml(value)}</span>`;
  }
}

interface Column {
  header: string;
  cell(object: Obj, live: Live, key: string): string;
}

const NAMESPACE: Column = { header: 'Namespace', cell: (o) => escapeHtml(o.metadata.namespace ?? '') };
const NAME: Column = { header: 'Name', cell: (o) => `<span class="name">${escapeHtml(o.metadata.name)}</span>` };
const condition = (type: string): Column => ({
  header: type,
  cell: (o, live, key) => live.badge(`${key}:${type}`, type, conditionStatus(o, type)),
});

function table(caption: string, objects: Obj[], columns: Column[], live: Live): string {
  if (objects.length === 0) return `<p class="empty">No ${escapeHtml(caption.toLowerCase())} you may list.</p>`;
  const head = columns.map((c) => `<th scope="col">${escapeHtml(c.header)}</th>`).join('');
  const rows = objects
    .map((o) => {
      const key = keyOf(o);
      return `<tr data-key="${escapeHtml(key)}">${columns.map((c) => `<td>${c.cell(o, live, key)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table><caption>${escapeHtml(caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table></div>`;
}

function signatureOf(objects: Obj[]): string {
  return objects.map(keyOf).sort().join(',');
}

export async function renderView(name: ViewName, source: ConsoleSource): Promise<RenderedView> {
  const live = new Live();
  switch (name) {
    case 'overview':
      return overview(source, live);
    case 'routes': {
      const objects = (await source.visible('ModelRoute')).sort(byName);
      const traffic = source.traffic?.routes() ?? new Map<string, RouteTrafficView>();
      const states = source.traffic?.backendStates() ?? new Map();
      const gateways = source.traffic?.gatewayCount() ?? 0;
      const routeTraffic = (o: Obj): RouteTrafficView | undefined => traffic.get(routeId(o));
      const columns: Column[] = [
        NAMESPACE,
        NAME,
        { header: 'Model', cell: (o) => escapeHtml(str(spec(o).model) ?? '') },
        { header: 'Backends', cell: (o, l, key) => backends(o, l, key, routeTraffic(o), states, gateways) },
        { header: 'Strategy', cell: (o) => escapeHtml(str(spec(o).strategy) ?? 'weighted') },
        {
          header: 'Requests per minute',
          cell: (o, l, key) => l.text(`${key}:rpm`, perMinute(routeTraffic(o)?.requestsPerMinute), 'num'),
        },
        { header: 'Requests', cell: (o, l, key) => l.text(`${key}:requests`, String(routeTraffic(o)?.requests ?? 0), 'num') },
        {
          header: 'Errors (4xx / 5xx)',
          cell: (o, l, key) => {
            const t = routeTraffic(o);
            return l.text(`${key}:errors`, `${t?.clientErrors ?? 0} / ${t?.serverErrors ?? 0}`, 'num');
          },
        },
        {
          header: 'Latency p50 / p95',
          cell: (o, l, key) => {
            const t = routeTraffic(o);
            return l.text(`${key}:latency`, t === undefined ? '—' : `${bound(t.p50Ms)} / ${bound(t.p95Ms)}`, 'num');
          },
        },
        { header: 'Cost', cell: (o, l, key) => l.text(`${key}:cost`, money(Number(routeTraffic(o)?.costNanos ?? 0n) / 1e9), 'num') },
        condition('Accepted'),
        condition('ResolvedRefs'),
        condition('Programmed'),
      ];
      return done('Routes', table('ModelRoutes', objects, columns, live), live, objects);
    }
    case 'keys': {
      const objects = (await source.visible('VirtualKey')).sort(byName);
      const usage = source.traffic?.keys() ?? new Map();
      const usageOf = (o: Obj) => usage.get(`${o.metadata.namespace ?? ''}/${o.metadata.name}`);
      const columns: Column[] = [
        NAMESPACE,
        NAME,
        { header: 'Allowed models', cell: (o) => allowedModels(o) },
        { header: 'Limits', cell: (o) => limits(o) },
        { header: 'Requests', cell: (o, l, key) => l.text(`${key}:requests`, String(usageOf(o)?.requests ?? 0), 'num') },
        { header: 'Refused (4xx)', cell: (o, l, key) => l.text(`${key}:refused`, String(usageOf(o)?.refused ?? 0), 'num') },
        {
          header: 'Tokens in / out',
          cell: (o, l, key) => l.text(`${key}:tokens`, `${usageOf(o)?.inputTokens ?? 0} / ${usageOf(o)?.outputTokens ?? 0}`, 'num'),
        },
        { header: 'Cost', cell: (o, l, key) => l.text(`${key}:cost`, money(Number(usageOf(o)?.costNanos ?? 0n) / 1e9), 'num') },
        { header: 'Key hint', cell: (o, l, key) => l.text(`${key}:hint`, str(status(o).keyHint) ?? '—', 'mono') },
        { header: 'Disabled', cell: (o) => (spec(o).disabled === true ? 'yes' : 'no') },
        condition('Accepted'),
        condition('Programmed'),
      ];
      return done('Keys', table('VirtualKeys', objects, columns, live), live, objects);
    }
    case 'requests':
      return recentRequests(source, live);
    case 'budgets': {
      const objects = (await source.visible('Budget')).sort(byName);
      return done('Budgets', budgets(objects, source.now, live), live, objects);
    }
    case 'mcp-servers': {
      const objects = (await source.visible('MCPServer')).sort(byName);
      const columns: Column[] = [
        NAMESPACE,
        NAME,
        { header: 'Transport', cell: (o) => escapeHtml(str(spec(o).transport) ?? (Array.isArray(spec(o).command) ? 'stdio' : '—')) },
        { header: 'Tools', cell: (o, l, key) => l.text(`${key}:tools`, str(status(o).toolCount) ?? '—', 'num') },
        condition('Accepted'),
        condition('Ready'),
        condition('Programmed'),
      ];
      return done('MCP servers', table('MCPServers', objects, columns, live), live, objects);
    }
    case 'guardrail-policies': {
      const objects = (await source.visible('GuardrailPolicy')).sort(byName);
      const columns: Column[] = [
        NAMESPACE,
        NAME,
        {
          header: 'Checks',
          cell: (o, l, key) => l.text(`${key}:checks`, str(status(o).checkCount) ?? String(arrayOf(spec(o).checks).length), 'num'),
        },
        { header: 'Keys', cell: (o, l, key) => l.text(`${key}:keys`, str(status(o).keyCount) ?? '—', 'num') },
        condition('Accepted'),
        condition('Programmed'),
      ];
      return done('Guardrail policies', table('GuardrailPolicies', objects, columns, live), live, objects);
    }
  }
}

function done(title: string, html: string, live: Live, objects: Obj[]): RenderedView {
  return { title, html, live: live.values, signature: signatureOf(objects) };
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function routeId(route: Obj): string {
  return `${route.metadata.namespace ?? ''}/${route.metadata.name}`;
}

/** Each backend with its health across the reporting gateways and its share of the route's requests. */
function backends(
  route: Obj,
  live: Live,
  key: string,
  traffic: RouteTrafficView | undefined,
  states: Map<string, { ejectedOn: number; inFlight: number; queued: number }>,
  gateways: number,
): string {
  const items = arrayOf(spec(route).backends).map((b) => {
    const backend = b as Record<string, unknown>;
    const name = str(backend.name) ?? '';
    const where = [str(backend.provider), str(backend.model)].filter(Boolean).join(' / ');
    const state = states.get(`${routeId(route)}\u0000${name}`);
    const counts = traffic?.backends.get(name);
    const parts = [
      state !== undefined && state.ejectedOn > 0
        ? `ejected on ${state.ejectedOn} of ${gateways} gateways`
        : gateways > 0
          ? 'healthy'
          : 'no gateway reports',
    ];
    if (state !== undefined && state.inFlight > 0) parts.push(`${state.inFlight} in flight`);
    if (state !== undefined && state.queued > 0) parts.push(`${state.queued} queued`);
    if (counts !== undefined) parts.push(`${counts.requests} requests, ${counts.serverErrors} failed`);
    const healthTone: Tone = gateways === 0 ? 'unknown' : state !== undefined && state.ejectedOn > 0 ? 'bad' : 'ok';
    const healthKey = `${key}:backend:${name}`;
    live.values[healthKey] = [parts.join(' · '), healthTone];
    return `<li>${escapeHtml(name)}${where ? ` <span class="muted">(${escapeHtml(where)})</span>` : ''} <span class="health" data-tone="${healthTone}" data-live="${escapeHtml(healthKey)}">${escapeHtml(parts.join(' · '))}</span></li>`;
  });
  return items.length === 0 ? '—' : `<ul class="plain">${items.join('')}</ul>`;
}

function perMinute(value: number | undefined): string {
  return value === undefined ? '—' : `${value.toFixed(1)}/min`;
}

/** A latency bucket's upper bound, as the histogram knows it. */
function bound(ms: number | undefined): string {
  if (ms === undefined) return '> 60 s';
  return ms >= 1000 ? `≤ ${ms / 1000} s` : `≤ ${ms} ms`;
}

function allowedModels(key: Obj): string {
  const models = arrayOf(spec(key).allowedModels).map((m) => str(m) ?? '');
  return models.length === 0 ? '<span class="muted">every visible model</span>' : escapeHtml(models.join(', '));
}

function limits(key: Obj): string {
  const rate = (spec(key).rateLimit ?? {}) as Record<string, unknown>;
  const parts = [
    rate.requestsPerMinute !== undefined ? `${str(rate.requestsPerMinute)} req/min` : undefined,
    rate.tokensPerMinute !== undefined ? `${str(rate.tokensPerMinute)} tokens/min` : undefined,
    rate.concurrentRequests !== undefined ? `${str(rate.concurrentRequests)} concurrent` : undefined,
    str(spec(key).expiresAt) !== undefined ? `expires ${str(spec(key).expiresAt)}` : undefined,
  ].filter((p): p is string => p !== undefined);
  return parts.length === 0 ? '<span class="muted">none</span>' : escapeHtml(parts.join(', '));
}

async function overview(source: ConsoleSource, live: Live): Promise<RenderedView> {
  const perKind = await Promise.all(KINDS.map(async (kind) => ({ kind, objects: (await source.visible(kind)).sort(byName) })));
  // Traffic over the routes this user may list only.
  const traffic = source.traffic?.routes() ?? new Map<string, RouteTrafficView>();
  let perMinuteTotal: number | undefined;
  let serverErrors = 0;
  let requests = 0;
  for (const route of perKind.find((k) => k.kind === 'ModelRoute')?.objects ?? []) {
    const t = traffic.get(routeId(route));
    if (t === undefined) continue;
    requests += t.requests;
    serverErrors += t.serverErrors;
    if (t.requestsPerMinute !== undefined) perMinuteTotal = (perMinuteTotal ?? 0) + t.requestsPerMinute;
  }
  const facts = `<dl class="facts">
<div><dt>Routing table version</dt><dd>${live.text('table:version', source.tableVersion === undefined ? 'none compiled yet' : String(source.tableVersion), 'num')}</dd></div>
<div><dt>Gateways connected to this operator replica</dt><dd>${live.text('gateways', String(source.gatewaysConnected), 'num')}</dd></div>
<div><dt>Gateways reporting traffic</dt><dd>${live.text('gateways:reporting', String(source.traffic?.gatewayCount() ?? 0), 'num')}</dd></div>
<div><dt>Requests per minute (your routes)</dt><dd>${live.text('traffic:rpm', perMinute(perMinuteTotal), 'num')}</dd></div>
<div><dt>Requests / server errors (5xx)</dt><dd>${live.text('traffic:errors', `${requests} / ${serverErrors}`, 'num')}</dd></div>
<div><dt>Watches</dt><dd>${live.text('synced', source.synced ? 'synced' : 'listing')}</dd></div>
</dl>`;
  const counts = perKind
    .map(({ kind, objects }) => {
      const programmed = objects.filter((o) => conditionStatus(o, 'Programmed') === 'True').length;
      const value = `${programmed}/${objects.length}`;
      const t: Tone = programmed === objects.length ? 'ok' : 'bad';
      live.values[`programmed:${kind}`] = [value, t];
      return `<tr><th scope="row">${kind}</th><td><span class="badge" data-tone="${t}" data-live="programmed:${kind}">${value}</span></td></tr>`;
    })
    .join('\n');
  const problems: string[] = [];
  for (const { objects } of perKind) {
    for (const object of objects) {
      for (const c of conditions(object)) {
        const type = c.type ?? '';
        if (tone(type, c.status ?? 'Unknown') === 'ok') continue;
        problems.push(
          `<tr><td>${escapeHtml(object.kind)}</td><td>${escapeHtml(`${object.metadata.namespace ?? ''}/${object.metadata.name}`)}</td><td>${escapeHtml(type)}=${escapeHtml(c.status ?? '')}</td><td>${escapeHtml(c.reason ?? '')}</td><td class="message">${escapeHtml(c.message ?? '')}</td></tr>`,
        );
      }
    }
  }
  const problemTable =
    problems.length === 0
      ? '<p class="empty">Every condition of the objects you may list is as it should be.</p>'
      : `<div class="table-wrap"><table><caption>Conditions that need attention</caption><thead><tr><th scope="col">Kind</th><th scope="col">Object</th><th scope="col">Condition</th><th scope="col">Reason</th><th scope="col">Message</th></tr></thead><tbody>\n${problems.join('\n')}\n</tbody></table></div>`;
  const html = `${facts}
<div class="table-wrap"><table class="narrow"><caption>Programmed (objects you may list)</caption><thead><tr><th scope="col">Kind</th><th scope="col">Programmed</th></tr></thead><tbody>
${counts}
</tbody></table></div>
${problemTable}`;
  // The problem list is not live: when it changes, the page reloads through the signature.
  const all = perKind.flatMap((k) => k.objects);
  return { title: 'Overview', html, live: live.values, signature: `${signatureOf(all)}|problems:${problems.length}` };
}

const RECENT_COLUMNS = [
  ['at', 'Time'],
  ['key', 'Key'],
  ['model', 'Model'],
  ['route', 'Route'],
  ['backend', 'Backend'],
  ['operation', 'Operation'],
  ['status', 'Status'],
  ['duration', 'Duration'],
  ['ttft', 'First token'],
  ['tokens', 'Tokens in / out'],
  ['cost', 'Cost'],
  ['cache', 'Cache'],
  ['error', 'Error code'],
  ['gateway', 'Gateway'],
  ['requestId', 'Request id'],
] as const;

/**
 * The latest requests the gateways reported, newest first, in the namespaces whose keys the user
 * may list (a request without a key only for users who may list keys everywhere). Metadata only:
 * the gateways never report prompt or answer text. The rows are fixed slots filled in place.
 */
async function recentRequests(source: ConsoleSource, live: Live): Promise<RenderedView> {
  const all = source.traffic?.recent(TRAFFIC_RECENT_SCAN) ?? [];
  const namespaceOf = (key: string): string => (key.includes('/') ? (key.split('/')[0] as string) : '');
  const visible = await source.namespacesVisible(
    'VirtualKey',
    all.map((r) => namespaceOf(r.key)),
  );
  const rows = all.filter((r) => visible.has(namespaceOf(r.key))).slice(0, RECENT_ROWS);
  const ms = (value: number | undefined): string => (value === undefined ? '—' : `${value.toFixed(1)} ms`);
  const body: string[] = [];
  for (let i = 0; i < RECENT_ROWS; i += 1) {
    const r = rows[i];
    const cells: Record<(typeof RECENT_COLUMNS)[number][0], string> = {
      at: r === undefined ? '' : r.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      key: r?.key || (r === undefined ? '' : 'none'),
      model: r?.model ?? '',
      route: r?.route ?? '',
      backend: r?.backend ?? '',
      operation: r?.operation ?? '',
      status: r === undefined ? '' : String(r.status),
      duration: r === undefined ? '' : ms(r.durationMs),
      ttft: r === undefined ? '' : ms(r.timeToFirstTokenMs),
      tokens: r === undefined ? '' : r.inputTokens === undefined ? '—' : `${r.inputTokens} / ${r.outputTokens ?? 0}`,
      cost: r === undefined ? '' : r.costNanos === undefined ? '—' : money(Number(r.costNanos) / 1e9),
      cache: r?.cache ?? '',
      error: r?.errorCode ?? '',
      gateway: r?.gateway ?? '',
      requestId: r?.requestId ?? '',
    };
    const statusTone: Tone = r === undefined ? 'unknown' : r.status < 400 ? 'ok' : r.status >= 500 ? 'bad' : 'unknown';
    body.push(
      `<tr>${RECENT_COLUMNS.map(([field]) => {
        const key = `recent:${i}:${field}`;
        if (field !== 'status')
          return `<td>${live.text(key, cells[field], field === 'key' || field === 'gateway' || field === 'requestId' ? 'mono' : '')}</td>`;
        live.values[key] = [cells.status, statusTone];
        return `<td><span class="badge" data-tone="${statusTone}" data-live="${key}">${escapeHtml(cells.status)}</span></td>`;
      }).join('')}</tr>`,
    );
  }
  const gateways = source.traffic?.gatewayCount() ?? 0;
  const html = `<dl class="facts">
<div><dt>Gateways reporting</dt><dd>${live.text('gateways:reporting', String(gateways), 'num')}</dd></div>
</dl>
<p class="muted">The latest ${RECENT_ROWS} requests of the keys you may list, newest first, as the gateways reported them (no prompt or answer text is ever reported).</p>
<div class="table-wrap"><table><caption>Recent requests</caption><thead><tr>${RECENT_COLUMNS.map(([, header]) => `<th scope="col">${header}</th>`).join('')}</tr></thead><tbody>
${body.join('\n')}
</tbody></table></div>`;
  return { title: 'Recent requests', html, live: live.values, signature: 'requests' };
}

const PERIODS = new Set(['Daily', 'Weekly', 'Monthly', 'Total']);

/** Spend against limit and the linear projection the budgets view draws. */
interface BudgetProjection {
  spent: number;
  limit: number;
  periodStartMs: number;
  periodEndMs: number | undefined;
  /** When the limit is reached if the period's average rate so far continues; undefined: not within the period. */
  exhaustionMs: number | undefined;
}

/**
 * Budget status carries the period's spend, not a history, so the burn-down is drawn from two
 * measured points (the period's start, at full budget, and now) and extended at the period's
 * average rate so far: exhaustion = start + limit / (spent / elapsed), shown only if it falls
 * before the period ends (always, for Total).
 */
export function projectBudget(budget: Obj, nowMs: number): BudgetProjection | undefined {
  const period = str(spec(budget).period);
  const limit = Number(str(spec(budget).limit));
  if (period === undefined || !PERIODS.has(period) || !Number.isFinite(limit) || limit <= 0) return undefined;
  const spent = Number(str(status(budget).spent) ?? '0') || 0;
  const periodStartMs = budgetPeriodStartMs(period as BudgetPeriod, nowMs);
  const periodEndMs = nextBudgetPeriodStartMs(period as BudgetPeriod, nowMs);
  const elapsed = nowMs - periodStartMs;
  let exhaustionMs: number | undefined;
  if (spent >= limit) exhaustionMs = nowMs;
  else if (spent > 0 && elapsed > 0) {
    const at = periodStartMs + limit / (spent / elapsed);
    if (periodEndMs === undefined || at < periodEndMs) exhaustionMs = at;
  }
  return { spent, limit, periodStartMs, periodEndMs, exhaustionMs };
}

/** Dollars with two decimals, up to four below $100 (a few requests cost fractions of a cent). */
function money(value: number): string {
  const [whole, fraction = ''] = value.toFixed(value >= 100 ? 2 : 4).split('.');
  return `$${whole}.${fraction.replace(/0+$/, '').padEnd(2, '0')}`;
}

function budgets(objects: Obj[], nowMs: number, live: Live): string {
  if (objects.length === 0) return '<p class="empty">No budgets you may list.</p>';
  return objects
    .map((budget) => {
      const key = keyOf(budget);
      const name = `${budget.metadata.namespace ?? ''}/${budget.metadata.name}`;
      const p = projectBudget(budget, nowMs);
      const period = str(spec(budget).period) ?? '';
      const exceeded = live.badge(`${key}:Exceeded`, 'Exceeded', conditionStatus(budget, 'Exceeded'));
      const accepted = live.badge(`${key}:Accepted`, 'Accepted', conditionStatus(budget, 'Accepted'));
      if (!p) {
        return `<section class="card" aria-label="Budget ${escapeHtml(name)}" data-key="${escapeHtml(key)}"><h2>${escapeHtml(name)}</h2><p>Accepted ${accepted} · Exceeded ${exceeded}</p></section>`;
      }
      const spentText = live.text(`${key}:spent`, money(p.spent), 'num');
      live.values[`${key}:meter`] = [String(Math.min(p.spent, p.limit))];
      const exhaustion =
        p.spent >= p.limit
          ? 'limit reached'
          : p.exhaustionMs === undefined
            ? p.spent === 0
              ? 'no spend yet this period'
              : 'not within this period at the current rate'
            : new Date(p.exhaustionMs)
                .toISOString()
                .replace(/:\d\d\.\d+Z$/, 'Z')
                .replace('T', ' ');
      return `<section class="card" aria-labelledby="b-${escapeHtml(key)}" data-key="${escapeHtml(key)}">
<h2 id="b-${escapeHtml(key)}">${escapeHtml(name)}</h2>
<p><label for="m-${escapeHtml(key)}">Spent ${spentText} of ${escapeHtml(money(p.limit))} (${escapeHtml(period)})</label></p>
<meter id="m-${escapeHtml(key)}" min="0" max="${p.limit}" high="${p.limit * 0.8}" optimum="0" value="${Math.min(p.spent, p.limit)}" data-live-meter="${escapeHtml(`${key}:meter`)}">${escapeHtml(money(p.spent))}</meter>
<dl class="facts">
<div><dt>Period start</dt><dd>${escapeHtml(p.periodStartMs === 0 ? 'never resets' : new Date(p.periodStartMs).toISOString().slice(0, 10))}</dd></div>
<div><dt>Projected exhaustion</dt><dd>${live.text(`${key}:exhaustion`, exhaustion)}</dd></div>
<div><dt>Enforcement</dt><dd>${escapeHtml(str(spec(budget).enforcement) ?? 'Block')}</dd></div>
<div><dt>Accepted</dt><dd>${accepted}</dd></div>
<div><dt>Exceeded</dt><dd>${exceeded}</dd></div>
</dl>
${burnDown(p, nowMs, name)}
</section>`;
    })
    .join('\n');
}

/** Remaining budget over the period: measured (solid) from the start to now, projected (dashed) after. */
function burnDown(p: BudgetProjection, nowMs: number, name: string): string {
  if (p.periodEndMs === undefined) return '';
  const width = 320;
  const height = 120;
  const x = (ms: number): number => ((ms - p.periodStartMs) / ((p.periodEndMs as number) - p.periodStartMs)) * width;
  const y = (remaining: number): number => height - (Math.max(0, remaining) / p.limit) * height;
  const remainingNow = p.limit - p.spent;
  const endMs = p.exhaustionMs ?? p.periodEndMs;
  const rate = nowMs > p.periodStartMs ? p.spent / (nowMs - p.periodStartMs) : 0;
  const remainingAtEnd = p.limit - rate * (endMs - p.periodStartMs);
  const f = (n: number): string => n.toFixed(1);
  return `<svg class="burn" viewBox="-2 -2 ${width + 4} ${height + 4}" width="${width}" height="${height}" role="img" aria-label="Burn-down for ${escapeHtml(name)}: ${escapeHtml(money(remainingNow))} of ${escapeHtml(money(p.limit))} left; dashed line projects the average rate so far">
<rect class="frame" x="0" y="0" width="${width}" height="${height}"/>
<line class="spent" x1="0" y1="0" x2="${f(x(nowMs))}" y2="${f(y(remainingNow))}"/>
<line class="projected" x1="${f(x(nowMs))}" y1="${f(y(remainingNow))}" x2="${f(x(endMs))}" y2="${f(y(remainingAtEnd))}"/>
<line class="now" x1="${f(x(nowMs))}" y1="0" x2="${f(x(nowMs))}" y2="${height}"/>
</svg>`;
}
