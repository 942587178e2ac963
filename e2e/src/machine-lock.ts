// A lock held across processes on this machine, for what only one test may do at a time (the
// kubelet stand-in owns the sy-e2e-* network names and containers): a directory created
// atomically, holding the owner's pid. A lock whose owner is gone is taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { delay } from './managed-process.js';

function ownerAlive(dir: string): boolean {
  try {
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but is not ours.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits (up to timeoutMs) for the lock; resolves with its release function. */
export async function acquireMachineLock(name: string, timeoutMs: number, log: (line: string) => void = () => {}): Promise<() => void> {
  const dir = join('/tmp', `${name}.lock`);
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      const release = (): void => {
        process.removeListener('exit', release);
        rmSync(dir, { recursive: true, force: true });
      };
      process.once('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    // Give a fresh holder a moment to write its pid before judging it.
    await delay(500);
    if (!ownerAlive(dir)) {
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (!announced) {
      log(`waiting for ${dir}: another test holds it`);
      announced = true;
    }
    if (Date.now() > deadline) throw new Error(`${dir} still held after ${timeoutMs} ms by pid ${readFileSync(join(dir, 'pid'), 'utf8')}`);
    await delay(1_000);
  }
}
