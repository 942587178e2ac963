// Who made a request, as the log line, the trace span and the audit record name it: never a token
// or a key value, only what identifies the caller.

export interface CallerIdentity {
  /** `key`: the virtual key's secret; `ServiceAccount`, `OIDC`: a token bound by the key's spec.subjects. */
  readonly kind: 'key' | 'ServiceAccount' | 'OIDC';
  /**
   * `key`: the VirtualKey (`namespace/name`); `ServiceAccount`: `namespace/name`; `OIDC`: the
   * token's `sub` claim (at most 256 characters, then cut with a note).
   */
  readonly subject: string;
  /** OIDC only: the issuer URL. */
  readonly issuer?: string;
}
