import { describe, expect, it } from '@jest/globals';
import { resolveBedrockCredentials, resolveBedrockRegion } from '../../../src/providers/bedrock/bedrock-credentials.js';
import { UpstreamFailure } from '../../../src/errors/upstream-failure.js';
import { bedrockTarget, TEST_AWS_IDENTITY } from './bedrock-test-target.js';

const ambientEnv = { AWS_ACCESS_KEY_ID: 'ASIAAMBIENT', AWS_SECRET_ACCESS_KEY: 'ambient-secret', AWS_SESSION_TOKEN: 'ambient-token' };

describe('resolveBedrockCredentials', () => {
  it('uses the credential picked for the attempt', () => {
    expect(resolveBedrockCredentials(bedrockTarget(), ambientEnv)).toEqual(TEST_AWS_IDENTITY);
  });

  it('prefers the Secret over ambient credentials', () => {
    const target = bedrockTarget({ backend: { bedrock: { region: 'us-east-1', useAmbientCredentials: true } } });
    expect(resolveBedrockCredentials(target, ambientEnv)).toEqual(TEST_AWS_IDENTITY);
  });

  it('reads the environment only when the backend opts in', () => {
    const optedIn = bedrockTarget({ credential: null, backend: { bedrock: { region: 'us-east-1', useAmbientCredentials: true } } });
    expect(resolveBedrockCredentials(optedIn, ambientEnv)).toEqual({
      accessKeyId: 'ASIAAMBIENT',
      secretAccessKey: 'ambient-secret',
      sessionToken: 'ambient-token',
    });
    const notOptedIn = bedrockTarget({ credential: null });
    expect(() => resolveBedrockCredentials(notOptedIn, ambientEnv)).toThrow(/no AWS credentials.*useAmbientCredentials/);
  });

  it('explains an opted-in backend with an empty environment', () => {
    const target = bedrockTarget({ credential: null, backend: { bedrock: { region: 'us-east-1', useAmbientCredentials: true } } });
    expect(() => resolveBedrockCredentials(target, { AWS_ACCESS_KEY_ID: 'x' })).toThrow(
      /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set/,
    );
  });

  it('refuses a credential without AWS keys, as an AuthError naming the Secret but no value', () => {
    const target = bedrockTarget({ credential: { ref: 'ai/aws-keys', weight: 1, apiKey: 'sk-not-aws-000000000000000000' } });
    try {
      resolveBedrockCredentials(target, {});
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(UpstreamFailure);
      expect((error as UpstreamFailure).kind).toBe('AuthError');
      expect((error as UpstreamFailure).message).toContain('ai/aws-keys');
      expect((error as UpstreamFailure).message).not.toContain('sk-not-aws');
    }
  });
});

describe('resolveBedrockRegion', () => {
  it('takes bedrock.region, else the region in a standard runtime host', () => {
    expect(
      resolveBedrockRegion(bedrockTarget({ backend: { bedrock: { region: 'eu-west-3', useAmbientCredentials: false } } }).backend),
    ).toBe('eu-west-3');
    const { backend } = bedrockTarget({ backend: { baseURL: 'https://bedrock-runtime.ap-northeast-1.amazonaws.com' } });
    delete backend.bedrock;
    expect(resolveBedrockRegion(backend)).toBe('ap-northeast-1');
    expect(resolveBedrockRegion({ ...backend, baseURL: 'https://bedrock-runtime-fips.us-gov-west-1.amazonaws.com' })).toBe('us-gov-west-1');
    expect(() => resolveBedrockRegion({ ...backend, baseURL: 'http://127.0.0.1:9999' })).toThrow(/no bedrock.region/);
  });
});
