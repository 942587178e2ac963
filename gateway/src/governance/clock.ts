// Governance reads time through a Clock so that budget periods and rate-limit windows can be
// tested without waiting for midnight. Production uses the wall clock. Tests of the real gateway
// process may point SWITCHYARD_TEST_CLOCK_FILE at a file holding an ISO-8601 instant or Unix
// milliseconds; it is read on every call (a test writes the file, then sends a request) and
// honoured only when NODE_ENV=test, so a stray variable in production cannot move time.
import { readFileSync } from 'node:fs';

export interface Clock {
  nowMs(): number;
}

const systemClock: Clock = { nowMs: () => Date.now() };

const TEST_CLOCK_ENV = 'SWITCHYARD_TEST_CLOCK_FILE';

class ClockFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClockFileError';
  }
}

/** Parses "2026-11-30T23:59:00Z" or "1796083140000". */
function parseClockText(text: string, path: string): number {
  const trimmed = text.trim();
  const value = /^\d+$/.test(trimmed) ? Number(trimmed) : Date.parse(trimmed);
  if (!Number.isFinite(value))
    throw new ClockFileError(`${TEST_CLOCK_ENV} ${path}: "${trimmed}" is neither an ISO-8601 instant nor Unix milliseconds`);
  return value;
}

function fileClock(path: string): Clock {
  // Fails at start, not on the first request, when the file is missing or unreadable.
  parseClockText(readFileSync(path, 'utf8'), path);
  return { nowMs: () => parseClockText(readFileSync(path, 'utf8'), path) };
}

/** The wall clock, or the test clock file when the environment asks for it in a test run. */
export function clockFromEnvironment(env: NodeJS.ProcessEnv): { clock: Clock; testClockFile: string | undefined } {
  const path = env[TEST_CLOCK_ENV];
  if (path === undefined || path === '' || env.NODE_ENV !== 'test') return { clock: systemClock, testClockFile: undefined };
  return { clock: fileClock(path), testClockFile: path };
}
