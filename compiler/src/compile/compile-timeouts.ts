// Upstream timeouts as the table carries them (milliseconds), from the same four-field block in a
// ModelRoute's spec, each backend's and a VirtualKey's: a route's block is completed with the CRD
// defaults, a backend's over its route's; a key's keeps only what it sets (the gateway lays it
// over whichever backend serves the request).
import { CRD_DEFAULTS } from '../generated/resource-shapes.js';
import type { CompiledKeyTimeouts, CompiledTimeouts } from '../table-types.js';
import { parseDurationMs } from '../values/duration.js';

interface TimeoutsSpec {
  connect?: string;
  firstByte?: string;
  total?: string;
  streamIdle?: string;
}

/** The values `spec` sets, in ms; absent fields stay absent. */
export function compileTimeoutOverrides(spec: TimeoutsSpec): CompiledKeyTimeouts {
  const overrides: CompiledKeyTimeouts = {};
  if (spec.connect !== undefined) overrides.connectMs = parseDurationMs(spec.connect);
  if (spec.firstByte !== undefined) overrides.firstByteMs = parseDurationMs(spec.firstByte);
  if (spec.total !== undefined) overrides.totalMs = parseDurationMs(spec.total);
  if (spec.streamIdle !== undefined) overrides.streamIdleMs = parseDurationMs(spec.streamIdle);
  return overrides;
}

/** Durations in ms; each value absent from `spec` comes from `base` (a backend's route) or the CRD default. */
export function compileTimeouts(spec: TimeoutsSpec, base?: CompiledTimeouts): CompiledTimeouts {
  const inherited = base ?? {
    connectMs: parseDurationMs(CRD_DEFAULTS.timeoutConnect),
    firstByteMs: parseDurationMs(CRD_DEFAULTS.timeoutFirstByte),
    totalMs: parseDurationMs(CRD_DEFAULTS.timeoutTotal),
    streamIdleMs: parseDurationMs(CRD_DEFAULTS.timeoutStreamIdle),
  };
  return { ...inherited, ...compileTimeoutOverrides(spec) };
}
