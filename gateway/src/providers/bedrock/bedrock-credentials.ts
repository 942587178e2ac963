import type { CompiledBackend } from '@switchyard/compiler';
import type { AwsSigningCredentials } from '../../common/aws/sigv4-signer.js';
import type { BackendTarget } from '../../unified/provider-codec.js';
import { UpstreamFailure } from '../../errors/upstream-failure.js';

export type EnvironmentVariables = Readonly<Record<string, string | undefined>>;

/**
 * The credentials one attempt signs with: the credential picked for it (a Secret with
 * accessKeyId/secretAccessKey[/sessionToken]); else, only when the backend opts in with
 * `bedrock.useAmbientCredentials`, the standard AWS environment variables of the gateway
 * process. Anything else is the gateway's configuration problem, reported as AuthError.
 */
export function resolveBedrockCredentials(target: BackendTarget, env: EnvironmentVariables): AwsSigningCredentials {
  const fromSecret = target.credential?.aws;
  if (fromSecret) {
    if (!fromSecret.accessKeyId || !fromSecret.secretAccessKey) {
      throw new UpstreamFailure(
        'AuthError',
        0,
        `credential ${target.credential?.ref ?? '(unnamed)'} of backend ${target.backend.name} lacks accessKeyId or secretAccessKey`,
      );
    }
    return fromSecret;
  }
  if (target.credential) {
    throw new UpstreamFailure(
      'AuthError',
      0,
      `credential ${target.credential.ref} of backend ${target.backend.name} holds no AWS access key (bedrock Secrets need accessKeyId and secretAccessKey)`,
    );
  }
  if (target.backend.bedrock?.useAmbientCredentials) {
    const accessKeyId = env['AWS_ACCESS_KEY_ID'];
    const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
    const sessionToken = env['AWS_SESSION_TOKEN'];
    if (accessKeyId && secretAccessKey)
      return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
    throw new UpstreamFailure(
      'AuthError',
      0,
      `backend ${target.backend.name} uses ambient AWS credentials, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set in the gateway's environment`,
    );
  }
  throw new UpstreamFailure(
    'AuthError',
    0,
    `backend ${target.backend.name} has no AWS credentials: reference a Secret with accessKeyId and secretAccessKey, or set bedrock.useAmbientCredentials: true`,
  );
}

const RUNTIME_HOST = /^bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** The signing region: `bedrock.region`, else the one in a standard runtime host name. */
export function resolveBedrockRegion(backend: CompiledBackend): string {
  const configured = backend.bedrock?.region;
  if (configured) return configured;
  try {
    const region = RUNTIME_HOST.exec(new URL(backend.baseURL).hostname)?.[1];
    if (region) return region;
  } catch {
    // fall through to the error below
  }
  throw new UpstreamFailure('Other', 0, `backend ${backend.name} has no bedrock.region and its baseURL does not name one`);
}
