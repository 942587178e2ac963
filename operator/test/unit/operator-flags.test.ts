import { describe, expect, it } from '@jest/globals';
import { FlagError } from '@switchyard/compiler';
import { parseOperatorFlags } from '../../src/cli/operator-flags.js';

describe('parseOperatorFlags', () => {
  it('applies the documented defaults', () => {
    const flags = parseOperatorFlags([], {});
    expect(flags).toMatchObject({
      namespaces: undefined,
      sharedNamespaces: [],
      listenHost: '0.0.0.0',
      listenPort: 8443,
      healthPort: 8081,
      leaderElectionNamespace: 'default',
      leaderElectionId: 'switchyard-operator',
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      resyncPeriodMs: 600_000,
      gatewayServiceAccounts: [],
      consoleListen: undefined,
      consoleTls: undefined,
      consoleOidc: undefined,
    });
  });

  it('serves the console only on a loopback address', () => {
    expect(parseOperatorFlags(['--console-listen', '127.0.0.1:8090'], {}).consoleListen).toEqual({ host: '127.0.0.1', port: 8090 });
    expect(parseOperatorFlags(['--console-listen', '[::1]:0'], {}).consoleListen).toEqual({ host: '::1', port: 0 });
    expect(() => parseOperatorFlags(['--console-listen', '0.0.0.0:8090'], {})).toThrow(
      /--console-listen 0\.0\.0\.0:8090: .*loopback address only/,
    );
    expect(() => parseOperatorFlags(['--console-listen', '8090'], {})).toThrow(/--console-listen must be host:port/);
  });

  it('serves the console on any address with its own TLS, and checks the single sign-on flags', () => {
    const tls = ['--console-tls-cert-file', '/c.crt', '--console-tls-key-file', '/c.key'];
    const flags = parseOperatorFlags(['--console-listen', '0.0.0.0:8090', ...tls], {});
    expect(flags.consoleListen).toEqual({ host: '0.0.0.0', port: 8090 });
    expect(flags.consoleTls).toEqual({ certFile: '/c.crt', keyFile: '/c.key' });
    expect(() => parseOperatorFlags(['--console-listen', '0.0.0.0:8090', '--console-tls-cert-file', '/c.crt'], {})).toThrow(
      '--console-tls-cert-file and --console-tls-key-file go together',
    );
    expect(() => parseOperatorFlags(tls, {})).toThrow('need --console-listen');
    const sso = [
      '--console-listen',
      '127.0.0.1:8090',
      '--console-oidc-issuer-url',
      'https://idp.example',
      '--console-oidc-client-id',
      'console',
      '--console-oidc-redirect-url',
      'http://localhost:8090/oidc/callback',
    ];
    expect(parseOperatorFlags(sso, {}).consoleOidc).toEqual({
      issuerUrl: 'https://idp.example',
      clientId: 'console',
      clientSecretFile: undefined,
      redirectUrl: 'http://localhost:8090/oidc/callback',
      usernameClaim: 'sub',
      usernamePrefix: 'oidc:',
      groupsClaim: 'groups',
      groupsPrefix: 'oidc:',
      scopes: ['openid', 'email', 'profile'],
    });
    expect(() => parseOperatorFlags(['--console-listen', '127.0.0.1:1', '--console-oidc-client-id', 'x'], {})).toThrow(
      '--console-oidc-client-id needs --console-oidc-issuer-url',
    );
    expect(() => parseOperatorFlags(sso.slice(0, 6), {})).toThrow('needs --console-oidc-redirect-url');
    expect(() => parseOperatorFlags([...sso.slice(0, 3), 'http://idp.example', ...sso.slice(4)], {})).toThrow(
      'must be https (http only on loopback)',
    );
    expect(() => parseOperatorFlags([...sso.slice(0, 7), 'https://console.example/callback'], {})).toThrow('must end in /oidc/callback');
    expect(() => parseOperatorFlags([...sso, '--console-oidc-scope', 'email'], {})).toThrow('must include openid');
  });

  it('shares and leads from the pod namespace by default, and watches shared namespaces', () => {
    const flags = parseOperatorFlags(['--namespace', 'team-a', '--namespace', 'team-b'], { POD_NAMESPACE: 'switchyard' });
    expect(flags.sharedNamespaces).toEqual(['switchyard']);
    expect(flags.leaderElectionNamespace).toBe('switchyard');
    expect(flags.namespaces).toEqual(['team-a', 'team-b', 'switchyard']);
  });

  it('parses repeatable and structured flags', () => {
    const flags = parseOperatorFlags(
      [
        '--listen',
        '[::1]:9443',
        '--gateway-service-account',
        'ai/gw',
        '--gateway-service-account',
        'ai/gw',
        '--gateway-service-account',
        'ops/gw-2',
        '--shared-namespace',
        'ai',
      ],
      {},
    );
    expect(flags.listenHost).toBe('::1');
    expect(flags.listenPort).toBe(9443);
    expect(flags.gatewayServiceAccounts).toEqual(['ai/gw', 'ops/gw-2']);
    expect(flags.sharedNamespaces).toEqual(['ai']);
  });

  it.each([
    [['--listen', '8443'], /--listen must be host:port/],
    [['--listen', 'localhost:99999'], /--listen must be a port number/],
    [['--gateway-service-account', 'gw'], /--gateway-service-account must be <namespace>\/<name>/],
    [['--gateway-service-account', 'Ai/gw'], /--gateway-service-account must be <namespace>\/<name>/],
    [['--namespace', 'Not_A_Namespace'], /--namespace "Not_A_Namespace" is not a valid namespace name/],
    [['--tls-cert-file', 'cert.pem'], /--tls-cert-file and --tls-key-file go together/],
    [['--lease-duration', '5s', '--renew-deadline', '10s'], /--lease-duration > --renew-deadline > --retry-period/],
    [['--resync-period', 'soon'], /--resync-period: invalid duration "soon"/],
    [['--health-port', 'x'], /--health-port must be a port number/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
  ])('rejects %j', (args, message) => {
    expect(() => parseOperatorFlags(args, {})).toThrow(FlagError);
    expect(() => parseOperatorFlags(args, {})).toThrow(message);
  });
});
