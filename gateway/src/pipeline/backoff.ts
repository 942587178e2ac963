// Exponential backoff with full jitter (a uniform wait between 0 and the step), which spreads
// the retries of many clients hit by the same outage best.
import type { CompiledRetryPolicy } from '@switchyard/compiler';
import { ClientDisconnectedError, type ClientAbortSignal } from './exchange.js';

/** Delay before retry number `retry` (1 = the first retry). */
export function backoffDelayMs(policy: CompiledRetryPolicy, retry: number, random: () => number): number {
  const step = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.max(0, retry - 1));
  return random() * step;
}

/** Waits, unless the client leaves first. */
export function waitUnlessDisconnected(ms: number, clientSignal: ClientAbortSignal): Promise<void> {
  if (clientSignal.aborted) return Promise.reject(new ClientDisconnectedError());
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolveWait, rejectWait) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      rejectWait(new ClientDisconnectedError());
    };
    const timer = setTimeout(() => {
      clientSignal.removeEventListener('abort', onAbort);
      resolveWait();
    }, ms);
    clientSignal.addEventListener('abort', onAbort, { once: true });
  });
}
