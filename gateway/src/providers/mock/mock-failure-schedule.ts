// Which mock calls fail: a deterministic schedule rather than dice, so a test or demo with
// failureRate 0.25 sees exactly every 4th call to that backend fail.
import type { CompiledBackend } from '@switchyard/compiler';

const callsByBackend = new WeakMap<CompiledBackend, { calls: number; failures: number }>();

/** Counts a call to the backend and says whether it is one of the scheduled failures. */
export function isScheduledFailure(backend: CompiledBackend, failureRate: number): boolean {
  if (!(failureRate > 0)) return false;
  let counter = callsByBackend.get(backend);
  if (counter === undefined) {
    counter = { calls: 0, failures: 0 };
    callsByBackend.set(backend, counter);
  }
  counter.calls += 1;
  const due = Math.floor(counter.calls * Math.min(1, failureRate) + 1e-9);
  if (due > counter.failures) {
    counter.failures = due;
    return true;
  }
  return false;
}
