// `status`: one look at the installation. The operator (its Deployment when apps/v1 may be read,
// its leader Lease, and each operator pod's /readyz through the API server's pod proxy for the
// table version), the gateway pods, Accepted and Programmed N/N for every Switchyard kind, and
// every condition that is not in its good state, with its message. The operator and gateways are
// looked for in every namespace (they usually run apart from the keys), else in -n's. A section the caller may
// not read is skipped with a note naming the resource, not a failure of the whole command.
import { BUILTIN_KINDS } from '@switchyard/compiler';
import { kindResourceType, type KubeObject, type ResourceType } from '../kube/resources.js';
import type { KubeContext } from './kube-context.js';
import { renderData, renderTable, type CommandOutput } from './output.js';
import {
  conditionOf,
  DEPLOYMENTS,
  LEASE_TYPE,
  listAnywhere,
  listObjects,
  PART_OF_SELECTOR,
  PODS,
  type Condition,
  type StatusObject,
} from './plugin-kube.js';
import type { PluginFlags } from './plugin-flags.js';
import { PluginError } from './plugin-error.js';

/** Conditions whose good state is False: True is the problem. */
const TRUE_IS_BAD = new Set(['Exceeded', 'PriceUnknown']);
/** The label on each operator replica's own Lease (operator/src/leader/replica-ack-reports.ts). */
const REPLICA_GROUP_LABEL = 'switchyard.dev/operator-replicas';
const OPERATOR_SELECTOR = `${PART_OF_SELECTOR},app.kubernetes.io/component=operator`;
const GATEWAY_SELECTOR = `${PART_OF_SELECTOR},app.kubernetes.io/component=gateway`;
/** The operator's /readyz answers at once; a pod that does not is reported, not waited for. */
const READYZ_TIMEOUT_MS = 5_000;

interface DeploymentObject extends KubeObject {
  spec?: { replicas?: number };
  status?: { readyReplicas?: number; updatedReplicas?: number; availableReplicas?: number };
}

interface LeaseObject extends KubeObject {
  spec?: { holderIdentity?: string | null; renewTime?: string | null; leaseDurationSeconds?: number };
}

interface PodObject extends KubeObject {
  spec?: { containers?: Array<{ name: string; ports?: Array<{ name?: string; containerPort: number }> }> };
  status?: {
    phase?: string;
    podIP?: string;
    conditions?: Condition[];
    containerStatuses?: Array<{ restartCount?: number }>;
  };
}

export async function runStatus(ctx: KubeContext, flags: PluginFlags, out: CommandOutput, nowMs = Date.now()): Promise<void> {
  const namespace = flags.allNamespaces ? undefined : ctx.namespace;
  const notes: string[] = [];
  /** A section's read; forbidden (or any API failure) becomes a note instead of ending the command. */
  const attempt = async <T>(read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof PluginError)) throw error;
      notes.push(`skipped: ${error.message}`);
      return undefined;
    }
  };

  const deployments = (await attempt(() => listAnywhere<DeploymentObject>(ctx, DEPLOYMENTS, namespace, OPERATOR_SELECTOR))) ?? [];
  // The election Lease carries no labels; its name does (the chart's "<release>-switchyard-operator",
  // --leader-election-id's default "switchyard-operator"). Each replica also keeps a Lease of its
  // own, labelled with the election's name: their number is the number of replicas reporting.
  const allLeases = (await attempt(() => listAnywhere<LeaseObject>(ctx, LEASE_TYPE, namespace))) ?? [];
  const replicaGroup = (lease: LeaseObject) => lease.metadata.labels?.[REPLICA_GROUP_LABEL];
  const leases = allLeases.filter((lease) => replicaGroup(lease) === undefined && /switchyard.*operator/.test(lease.metadata.name));
  const operatorPods = (await attempt(() => listAnywhere<PodObject>(ctx, PODS, namespace, OPERATOR_SELECTOR))) ?? [];
  const replicas = await Promise.all(operatorPods.map((pod) => readyzOf(ctx, pod)));
  const gatewayPods = (await attempt(() => listAnywhere<PodObject>(ctx, PODS, namespace, GATEWAY_SELECTOR))) ?? [];

  const resources: StatusReport['resources'] = [];
  const problems: StatusReport['problems'] = [];
  const unreadKinds: string[] = [];
  for (const definition of BUILTIN_KINDS.all()) {
    const type: ResourceType = kindResourceType(definition);
    const objects = await attempt(() => listObjects<StatusObject>(ctx, type, namespace));
    if (objects === undefined) {
      unreadKinds.push(definition.kind);
      continue;
    }
    const count = (conditionType: string) => objects.filter((o) => conditionOf(o, conditionType)?.status === 'True').length;
    resources.push({ kind: definition.kind, total: objects.length, accepted: count('Accepted'), programmed: count('Programmed') });
    for (const object of objects) {
      for (const condition of object.status?.conditions ?? []) {
        const bad = TRUE_IS_BAD.has(condition.type) ? condition.status === 'True' : condition.status !== 'True';
        if (!bad) continue;
        problems.push({
          kind: definition.kind,
          namespace: object.metadata.namespace ?? '',
          name: object.metadata.name,
          type: condition.type,
          status: condition.status,
          reason: condition.reason ?? '',
          message: condition.message ?? '',
        });
      }
    }
  }
  const versions = replicas.flatMap((replica) => (replica.tableVersion === undefined ? [] : [replica.tableVersion]));
  const report: StatusReport = {
    namespace: namespace ?? null,
    operator: {
      deployments: deployments.map((d) => ({
        namespace: d.metadata.namespace ?? '',
        name: d.metadata.name,
        replicas: d.spec?.replicas ?? 1,
        ready: d.status?.readyReplicas ?? 0,
      })),
      leases: leases.map((lease) => ({
        namespace: lease.metadata.namespace ?? '',
        name: lease.metadata.name,
        holder: lease.spec?.holderIdentity || null,
        renewTime: lease.spec?.renewTime ?? null,
        replicas: allLeases.filter((r) => r.metadata.namespace === lease.metadata.namespace && replicaGroup(r) === lease.metadata.name)
          .length,
      })),
      pods: replicas,
    },
    // Replicas compile the same objects; the highest is what the newest table carries.
    tableVersion: versions.length === 0 ? null : Math.max(...versions),
    gateways: gatewayPods.map((pod) => ({
      namespace: pod.metadata.namespace ?? '',
      name: pod.metadata.name,
      phase: pod.status?.phase ?? 'Unknown',
      ready: pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True',
      restarts: (pod.status?.containerStatuses ?? []).reduce((sum, c) => sum + (c.restartCount ?? 0), 0),
    })),
    resources,
    problems,
    notes,
  };
  if (flags.output === 'table') out.write(renderStatusTable(report, namespace === undefined, nowMs));
  else out.write(renderData(flags.output, report));
  // The operator's parts are extras a namespace user may not see; the resources are the point.
  if (unreadKinds.length > 0)
    throw new PluginError(`could not read ${unreadKinds.join(', ')} (see the notes): the status above is partial`);
}

function renderStatusTable(report: StatusReport, all: boolean, nowMs: number): string {
  const { resources, problems, notes } = report;
  const ns = (value: string) => (all ? [value] : []);
  const sections: string[] = [];
  const operatorLines: string[] = [];
  if (report.operator.deployments.length > 0)
    operatorLines.push(
      renderTable(
        ['namespace', 'deployment', 'ready'],
        report.operator.deployments.map((d) => [d.namespace, d.name, `${d.ready}/${d.replicas}`]),
      ).trimEnd(),
    );
  for (const lease of report.operator.leases)
    operatorLines.push(
      `leader: ${lease.holder ?? '(none)'} (Lease ${lease.namespace}/${lease.name}${lease.renewTime ? `, renewed ${age(lease.renewTime, nowMs)} ago` : ''}), ${lease.replicas} replica(s) reporting`,
    );
  for (const pod of report.operator.pods)
    operatorLines.push(
      `pod ${pod.namespace}/${pod.name}: ${pod.error === undefined ? `table version ${pod.tableVersion ?? '?'}, ${pod.leader ? 'leader' : 'follower'}, ${pod.gateways ?? 0} gateway(s) connected` : pod.error}`,
    );
  if (operatorLines.length === 0) operatorLines.push('no operator Deployment, Lease or pod found');
  sections.push(`OPERATOR\n${operatorLines.join('\n')}`);
  sections.push(`TABLE VERSION: ${report.tableVersion ?? 'unknown (read from the operator pods\u2019 /readyz; none answered)'}`);
  sections.push(
    report.gateways.length === 0
      ? 'GATEWAYS\nno gateway pods found'
      : `GATEWAYS\n${renderTable(
          ['namespace', 'pod', 'phase', 'ready', 'restarts'],
          report.gateways.map((g) => [g.namespace, g.name, g.phase, String(g.ready), String(g.restarts)]),
        ).trimEnd()}`,
  );
  sections.push(
    `RESOURCES\n${renderTable(
      ['kind', 'accepted', 'programmed'],
      resources.map((r) => [r.kind, `${r.accepted}/${r.total}`, `${r.programmed}/${r.total}`]),
    ).trimEnd()}`,
  );
  sections.push(
    problems.length === 0
      ? 'CONDITIONS: every condition is in its good state'
      : `CONDITIONS NOT OK\n${renderTable(
          ['kind', ...ns('namespace'), 'name', 'condition', 'status', 'reason', 'message'],
          problems.map((p) => [p.kind, ...ns(p.namespace), p.name, p.type, p.status, p.reason, p.message]),
        ).trimEnd()}`,
  );
  if (notes.length > 0) sections.push(`NOTES\n${notes.join('\n')}`);
  return `${sections.join('\n\n')}\n`;
}

interface StatusReport {
  namespace: string | null;
  operator: {
    deployments: Array<{ namespace: string; name: string; replicas: number; ready: number }>;
    leases: Array<{ namespace: string; name: string; holder: string | null; renewTime: string | null; replicas: number }>;
    pods: ReplicaView[];
  };
  tableVersion: number | null;
  gateways: Array<{ namespace: string; name: string; phase: string; ready: boolean; restarts: number }>;
  resources: Array<{ kind: string; total: number; accepted: number; programmed: number }>;
  problems: Array<{ kind: string; namespace: string; name: string; type: string; status: string; reason: string; message: string }>;
  notes: string[];
}

interface ReplicaView {
  namespace: string;
  name: string;
  tableVersion?: number;
  leader?: boolean;
  gateways?: number;
  error?: string;
}

/** The operator pod's /readyz through the pod proxy, on its container port named "health". */
async function readyzOf(ctx: KubeContext, pod: PodObject): Promise<ReplicaView> {
  const namespace = pod.metadata.namespace ?? '';
  const view: ReplicaView = { namespace, name: pod.metadata.name };
  const port = pod.spec?.containers?.flatMap((c) => c.ports ?? []).find((p) => p.name === 'health')?.containerPort;
  if (port === undefined) return { ...view, error: 'no container port named "health" to ask for the table version' };
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod.metadata.name)}:${port}/proxy/readyz`;
  try {
    const res = await ctx.client.exchange('GET', path, { timeoutMs: READYZ_TIMEOUT_MS });
    if (res.status === 403) return { ...view, error: 'forbidden to read pods/proxy; table version unknown' };
    if (res.status !== 200) return { ...view, error: `not ready (/readyz answered ${res.status})` };
    const body = JSON.parse(res.body) as { tableVersion?: number; leader?: boolean; gateways?: number };
    return { ...view, tableVersion: body.tableVersion, leader: body.leader, gateways: body.gateways };
  } catch (error) {
    return { ...view, error: `/readyz unreachable: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function age(timestamp: string, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  return `${Math.round(seconds / 3600)}h`;
}
