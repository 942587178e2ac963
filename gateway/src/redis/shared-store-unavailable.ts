// Thrown by everything that runs on the Redis connection (limiter, ledger, response cache,
// Responses store) when Redis cannot answer in time; admission then applies --redis-failure-mode.
export class SharedStoreUnavailableError extends Error {
  constructor(
    readonly operation: string,
    cause: unknown,
  ) {
    super(`Redis ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'SharedStoreUnavailableError';
  }
}

export type SharedStoreFailureMode = 'open' | 'closed';
