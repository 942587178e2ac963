import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  canonicalUri,
  deriveSigningKey,
  parseAuthorizationHeader,
  signHttpRequest,
  signSigV4,
  toAmzDate,
} from '../../../src/common/aws/sigv4-signer.js';
import { repoRoot } from '../../support/repo-paths.js';

interface SuiteCase {
  name: string;
  method: string;
  path: string;
  query: string;
  service?: string;
  headers: Array<[string, string]>;
  useSessionToken?: boolean;
  body: string;
  creq: string;
  sts: string;
  authz: string;
}

interface Suite {
  credentials: { accessKeyId: string; secretAccessKey: string };
  sessionToken: string;
  region: string;
  service: string;
  date: string;
  signingKeys: Array<{ secretAccessKey: string; dateStamp: string; region: string; service: string; hex: string }>;
  cases: SuiteCase[];
}

const suite = JSON.parse(
  readFileSync(join(repoRoot, 'gateway', 'src', 'common', 'aws', '__fixtures__', 'sigv4-test-suite.json'), 'utf8'),
) as Suite;
const date = new Date(suite.date);

describe('SigV4 against the AWS test suite', () => {
  it.each(suite.cases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
    const signed = signSigV4(
      { method: testCase.method, path: testCase.path, query: testCase.query, headers: testCase.headers, body: testCase.body },
      {
        credentials: { ...suite.credentials, ...(testCase.useSessionToken ? { sessionToken: suite.sessionToken } : {}) },
        region: suite.region,
        service: testCase.service ?? suite.service,
        date,
      },
    );
    expect(signed.canonicalRequest).toBe(testCase.creq);
    expect(signed.stringToSign).toBe(testCase.sts);
    expect(signed.headers.authorization).toBe(testCase.authz);
    expect(signed.headers['x-amz-date']).toBe('20150830T123600Z');
  });

  it.each(suite.signingKeys.map((k) => [`${k.dateStamp}/${k.region}/${k.service}`, k] as const))(
    'derives the documented signing key %s',
    (_name, key) => {
      expect(deriveSigningKey(key.secretAccessKey, key.dateStamp, key.region, key.service).toString('hex')).toBe(key.hex);
    },
  );
});

describe('SigV4 rules Bedrock depends on', () => {
  const credentials = suite.credentials;

  it('double-encodes a percent-encoded model id in the canonical URI (non-S3 rule)', () => {
    const signed = signHttpRequest(
      {
        method: 'POST',
        url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      },
      { credentials, region: 'us-east-1', service: 'bedrock', date },
    );
    expect(signed.canonicalRequest.split('\n')[1]).toBe('/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse');
    expect(signed.canonicalRequest.split('\n')).toContain('host:bedrock-runtime.us-east-1.amazonaws.com');
    expect(signed.credentialScope).toBe('20150830/us-east-1/bedrock/aws4_request');
  });

  it.each([
    ['/model/a%2Fb/converse', '/model/a%252Fb/converse'],
    ['/a b/c', '/a%20b/c'],
    ['/x/./y/../z', '/x/z'],
    ['/', '/'],
    ['/é', '/%C3%A9'],
    ["/it's(*)!", '/it%27s%28%2A%29%21'],
  ])('canonical URI of %s is %s', (path, expected) => {
    expect(canonicalUri(path)).toBe(expected);
  });

  it('signs and returns x-amz-security-token for session credentials', () => {
    const signed = signHttpRequest(
      { method: 'POST', url: 'https://example.amazonaws.com/', headers: {}, body: '' },
      { credentials: { ...credentials, sessionToken: 'session-token-value' }, region: 'us-east-1', service: 'service', date },
    );
    expect(signed.headers['x-amz-security-token']).toBe('session-token-value');
    expect(signed.signedHeaders).toBe('host;x-amz-date;x-amz-security-token');
  });

  it('adds x-amz-content-sha256 only when asked', () => {
    const options = { credentials, region: 'us-east-1', service: 'service', date };
    const request = { method: 'POST', url: 'https://example.amazonaws.com/', headers: {}, body: 'Param1=value1' };
    expect(signHttpRequest(request, options).headers['x-amz-content-sha256']).toBeUndefined();
    const withHash = signHttpRequest(request, { ...options, contentSha256Header: true });
    expect(withHash.headers['x-amz-content-sha256']).toBe('9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e');
    expect(withHash.signedHeaders).toBe('host;x-amz-content-sha256;x-amz-date');
  });

  it('leaves hop-by-hop and user-agent headers unsigned', () => {
    const signed = signHttpRequest(
      {
        method: 'GET',
        url: 'https://example.amazonaws.com/',
        headers: { 'User-Agent': 'x', Connection: 'keep-alive', Accept: 'application/json' },
        body: '',
      },
      { credentials, region: 'us-east-1', service: 'service', date },
    );
    expect(signed.signedHeaders).toBe('accept;host;x-amz-date');
  });

  it('includes a non-default port in the signed host', () => {
    const signed = signHttpRequest(
      { method: 'GET', url: 'http://127.0.0.1:8123/x', headers: {} },
      { credentials, region: 'us-east-1', service: 'bedrock', date },
    );
    expect(signed.canonicalRequest.split('\n')).toContain('host:127.0.0.1:8123');
  });

  it('changes the signature when the body changes', () => {
    const sign = (body: string) =>
      signHttpRequest(
        { method: 'POST', url: 'https://example.amazonaws.com/', headers: {}, body },
        { credentials, region: 'us-east-1', service: 'service', date },
      ).signature;
    expect(sign('{"a":1}')).not.toBe(sign('{"a":2}'));
  });

  it('refuses to sign without a host header or with empty credentials', () => {
    expect(() => signSigV4({ method: 'GET', path: '/', headers: {} }, { credentials, region: 'us-east-1', service: 's', date })).toThrow(
      /host/,
    );
    expect(() =>
      signSigV4(
        { method: 'GET', path: '/', headers: { host: 'h' } },
        { credentials: { accessKeyId: '', secretAccessKey: 'x' }, region: 'us-east-1', service: 's', date },
      ),
    ).toThrow(/access key id/);
  });

  it('formats the amz date', () => {
    expect(toAmzDate(new Date('2024-02-29T23:59:59.999Z'))).toBe('20240229T235959Z');
  });

  it('parses the Authorization header it produces', () => {
    const authz = suite.cases[0]?.authz ?? '';
    expect(parseAuthorizationHeader(authz)).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      dateStamp: '20150830',
      region: 'us-east-1',
      service: 'service',
      signedHeaders: ['host', 'my-header1', 'x-amz-date'],
      signature: 'c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea',
    });
    expect(parseAuthorizationHeader('Bearer abc')).toBeUndefined();
    expect(parseAuthorizationHeader('AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1, SignedHeaders=host, Signature=00')).toBeUndefined();
  });
});
