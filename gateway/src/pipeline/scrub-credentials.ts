// Upstream error messages sometimes quote the credential they rejected ("Incorrect API key
// provided: sk-..."). Before a message can reach a caller, a log line or a metric, every
// secret of the credential used for that attempt is cut out of it.
import type { CompiledCredential } from '@switchyard/compiler';
import { redactSecrets } from '@switchyard/compiler';
import { UpstreamFailure } from '../errors/upstream-failure.js';

function scrubCredential(text: string, credential: CompiledCredential | undefined): string {
  let out = text;
  if (credential !== undefined) {
    for (const secret of [
      credential.apiKey,
      credential.serviceAccountJson,
      credential.aws?.secretAccessKey,
      credential.aws?.sessionToken,
      credential.aws?.accessKeyId,
    ]) {
      if (secret !== undefined && secret.length >= 4) out = out.split(secret).join('[REDACTED]');
    }
  }
  return redactSecrets(out);
}

export function scrubFailure(failure: UpstreamFailure, credential: CompiledCredential | undefined): UpstreamFailure {
  const message = scrubCredential(failure.message, credential);
  if (message === failure.message) return failure;
  const options: { retryAfterMs?: number; param?: string } = {};
  if (failure.retryAfterMs !== undefined) options.retryAfterMs = failure.retryAfterMs;
  if (failure.param !== undefined) options.param = failure.param;
  return new UpstreamFailure(failure.kind, failure.status, message, options);
}
