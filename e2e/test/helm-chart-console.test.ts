// The chart's console switch: off by default (no flag, no SubjectAccessReview rule); on, the
// operator's args carry --console-listen, which the operator's own flag parser accepts, and its
// ClusterRole may create SubjectAccessReviews (the console authorizes every view with them).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { argsOf, findDoc, helmPath, names, NAMESPACE, REPO_ROOT, renderChart, skipNotice } from './helm-chart-support.js';
import { jsonPath } from './support/json-path.js';

const OPERATOR_FLAGS = join(REPO_ROOT, 'operator', 'dist', 'src', 'cli', 'operator-flags.js');
const ready = helmPath() !== undefined && existsSync(OPERATOR_FLAGS);
if (!helmPath()) skipNotice('chart console tests');
const describeWhenReady = ready ? describe : describe.skip;

const SAR_RULE = { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] };

describeWhenReady('chart console.enabled', () => {
  it('is off by default: no --console-listen, no subjectaccessreviews', async () => {
    const docs = await renderChart();
    expect(argsOf(findDoc(docs, 'Deployment', names.operator)).some((arg) => arg.startsWith('--console-listen'))).toBe(false);
    expect(jsonPath(findDoc(docs, 'ClusterRole', `${NAMESPACE}-${names.operator}`), 'rules')).not.toContainEqual(SAR_RULE);
  }, 60_000);

  it('serves the console on loopback with the RBAC it needs when enabled', async () => {
    const docs = await renderChart(['--set', 'console.enabled=true']);
    const args = argsOf(findDoc(docs, 'Deployment', names.operator));
    expect(args).toContain('--console-listen=127.0.0.1:8090');
    const module = (await import(pathToFileURL(OPERATOR_FLAGS).href)) as { parseOperatorFlags: (a: string[], e: object) => unknown };
    expect(jsonPath(module.parseOperatorFlags(args.slice(1), { POD_NAMESPACE: NAMESPACE }), 'consoleListen')).toEqual({
      host: '127.0.0.1',
      port: 8090,
    });
    expect(jsonPath(findDoc(docs, 'ClusterRole', `${NAMESPACE}-${names.operator}`), 'rules')).toContainEqual(SAR_RULE);
  }, 60_000);

  it('refuses a non-loopback console.listen in the values schema', async () => {
    await expect(renderChart(['--set', 'console.enabled=true', '--set', 'console.listen=0.0.0.0:8090'])).rejects.toThrow(/console/);
  }, 60_000);
});
