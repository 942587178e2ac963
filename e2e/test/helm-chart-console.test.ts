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

  it('serves HTTPS on any address with console.tls and signs in with console.oidc, as the flag parser accepts', async () => {
    const docs = await renderChart([
      '--set',
      'console.enabled=true',
      '--set',
      'console.listen=0.0.0.0:8090',
      '--set',
      'console.tls.secretName=console-tls',
      '--set',
      'console.oidc.issuerURL=https://idp.example.com',
      '--set',
      'console.oidc.clientID=switchyard-console',
      '--set',
      'console.oidc.redirectURL=https://console.example.com/oidc/callback',
      '--set',
      'console.oidc.clientSecretRef.name=console-oidc',
      '--set',
      'console.oidc.usernameClaim=email',
      '--set',
      'networkPolicy.enabled=true',
      '--set',
      'console.allowedFrom[0].namespaceSelector.matchLabels.name=ingress',
    ]);
    const deployment = findDoc(docs, 'Deployment', names.operator);
    const args = argsOf(deployment);
    const module = (await import(pathToFileURL(OPERATOR_FLAGS).href)) as { parseOperatorFlags: (a: string[], e: object) => unknown };
    const flags = module.parseOperatorFlags(args.slice(1), { POD_NAMESPACE: NAMESPACE });
    expect(jsonPath(flags, 'consoleListen')).toEqual({ host: '0.0.0.0', port: 8090 });
    expect(jsonPath(flags, 'consoleTls')).toEqual({
      certFile: '/etc/switchyard/console-tls/tls.crt',
      keyFile: '/etc/switchyard/console-tls/tls.key',
    });
    expect(jsonPath(flags, 'consoleOidc')).toMatchObject({
      issuerUrl: 'https://idp.example.com',
      clientId: 'switchyard-console',
      clientSecretFile: '/etc/switchyard/console-oidc/client-secret',
      usernameClaim: 'email',
      scopes: ['openid', 'email', 'profile'],
    });
    const volumes = jsonPath(deployment, 'spec', 'template', 'spec', 'volumes') as Array<{ name: string; secret?: { secretName: string } }>;
    expect(volumes.find((v) => v.name === 'console-tls')?.secret?.secretName).toBe('console-tls');
    expect(volumes.find((v) => v.name === 'console-oidc')?.secret?.secretName).toBe('console-oidc');
    const service = findDoc(docs, 'Service', `${names.operator}-console`);
    expect(jsonPath(service, 'spec', 'sessionAffinity')).toBe('ClientIP');
    expect(jsonPath(service, 'spec', 'ports')).toEqual([{ name: 'console', port: 8090, targetPort: 'console', protocol: 'TCP' }]);
    const policy = findDoc(docs, 'NetworkPolicy', names.operator);
    expect(jsonPath(policy, 'spec', 'ingress')).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { name: 'ingress' } } }],
      ports: [{ port: 8090, protocol: 'TCP' }],
    });
  }, 60_000);

  it('refuses console.oidc without its client id or redirect URL', async () => {
    await expect(
      renderChart([
        '--set',
        'console.enabled=true',
        '--set',
        'console.oidc.issuerURL=https://idp.example.com',
        '--set',
        'console.oidc.redirectURL=https://c.example/oidc/callback',
      ]),
    ).rejects.toThrow(/console.oidc.clientID is required/);
  }, 60_000);

  it('refuses a non-loopback console.listen in the values schema', async () => {
    await expect(renderChart(['--set', 'console.enabled=true', '--set', 'console.listen=0.0.0.0:8090'])).rejects.toThrow(/console/);
  }, 60_000);
});
