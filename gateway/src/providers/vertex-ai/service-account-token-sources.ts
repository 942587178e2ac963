// One token source per service account key, found from the credential of an attempt.
//
// The key JSON is parsed and checked once per credential, not per request: the compiled
// credential object is looked up in a WeakMap (the hot path), and behind it the sources are
// kept by a digest of the key JSON, so a routing-table reload, which brings new credential
// objects for the same keys, keeps every cached token. A JSON that does not parse is
// remembered too, so a broken Secret costs one parse, not one per request.

import { createHash } from 'node:crypto';
import type { CompiledCredential } from '@switchyard/compiler';
import { parseServiceAccountKey, ServiceAccountKeyError } from './service-account-key.js';
import { GoogleServiceAccountTokenSource, type TokenSourceOptions } from './service-account-token.js';

type Resolved = GoogleServiceAccountTokenSource | ServiceAccountKeyError;

/** Keys retired by reloads are dropped oldest-first beyond this many. */
const MAX_KEYS = 256;

export class ServiceAccountTokenSources {
  private readonly byCredential = new WeakMap<CompiledCredential, Resolved>();
  private readonly byDigest = new Map<string, Resolved>();

  constructor(private readonly options: TokenSourceOptions = {}) {}

  /** The credential's token source; throws ServiceAccountKeyError when its JSON is unusable. */
  sourceFor(credential: CompiledCredential, json: string): GoogleServiceAccountTokenSource {
    let resolved = this.byCredential.get(credential);
    if (resolved === undefined) {
      resolved = this.resolve(json);
      this.byCredential.set(credential, resolved);
    }
    if (resolved instanceof ServiceAccountKeyError) throw resolved;
    return resolved;
  }

  private resolve(json: string): Resolved {
    const digest = createHash('sha256').update(json).digest('hex');
    const known = this.byDigest.get(digest);
    if (known !== undefined) {
      // Most recently used last, so eviction drops the longest unused.
      this.byDigest.delete(digest);
      this.byDigest.set(digest, known);
      return known;
    }
    let resolved: Resolved;
    try {
      resolved = new GoogleServiceAccountTokenSource(parseServiceAccountKey(json), this.options);
    } catch (error) {
      if (!(error instanceof ServiceAccountKeyError)) throw error;
      resolved = error;
    }
    this.byDigest.set(digest, resolved);
    if (this.byDigest.size > MAX_KEYS) {
      const oldest = this.byDigest.keys().next().value;
      if (oldest !== undefined) this.byDigest.delete(oldest);
    }
    return resolved;
  }
}
