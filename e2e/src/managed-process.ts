import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface ManagedProcessSpec {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  pidDir: string;
  env?: NodeJS.ProcessEnv;
  /** Own process group and unref'd, so it outlives this Node process (e2e-up). */
  detached?: boolean;
}

export interface ManagedProcess {
  name: string;
  pid: number;
  logFile: string;
  /** Set once the process has exited (code or signal). */
  exitStatus(): string | undefined;
  stop(timeoutMs?: number): Promise<void>;
}

/** Starts a long-running binary with output to a log file and its pid recorded in pidDir/<name>.pid. */
export function startManagedProcess(spec: ManagedProcessSpec): ManagedProcess {
  const logFd = openSync(spec.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(spec.command, spec.args, {
      stdio: ['ignore', logFd, logFd],
      env: spec.env ?? process.env,
      detached: spec.detached ?? false,
    });
  } finally {
    closeSync(logFd);
  }
  if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
  const pid = child.pid;
  const pidFile = join(spec.pidDir, `${spec.name}.pid`);
  writeFileSync(pidFile, `${pid}\n`);
  let exitStatus: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitStatus = signal ? `killed by ${signal}` : `exited with code ${code}`;
      resolve();
    });
    child.once('error', (error) => {
      exitStatus = `failed to start: ${error.message}`;
      resolve();
    });
  });
  if (spec.detached) child.unref();
  return {
    name: spec.name,
    pid,
    logFile: spec.logFile,
    exitStatus: () => exitStatus,
    async stop(timeoutMs = 10_000) {
      if (exitStatus === undefined) {
        signalProcess(pid, 'SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const stopped = await Promise.race([
          exited.then(() => true),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(false), timeoutMs);
          }),
        ]);
        clearTimeout(timer);
        if (!stopped) {
          signalProcess(pid, 'SIGKILL');
          await exited;
        }
      }
      rmSync(pidFile, { force: true });
    },
  };
}

/**
 * Stops a process known only by its pid file (started by an earlier `e2e-up` or a crashed
 * test). The pid is signalled only while /proc shows the expected binary, so a recycled pid
 * belonging to something else is left alone.
 */
export async function stopByPidFile(pidFile: string, expectedBinary: string, timeoutMs = 10_000): Promise<'stopped' | 'not-running'> {
  if (!existsSync(pidFile)) return 'not-running';
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  let outcome: 'stopped' | 'not-running' = 'not-running';
  if (Number.isInteger(pid) && pid > 1 && isRunningBinary(pid, expectedBinary)) {
    signalProcess(pid, 'SIGTERM');
    const deadline = Date.now() + timeoutMs;
    while (isRunningBinary(pid, expectedBinary) && Date.now() < deadline) await delay(100);
    if (isRunningBinary(pid, expectedBinary)) signalProcess(pid, 'SIGKILL');
    while (isRunningBinary(pid, expectedBinary)) await delay(50);
    outcome = 'stopped';
  }
  rmSync(pidFile, { force: true });
  return outcome;
}

/** True while pid is a live (not zombie) process whose executable is named expectedBinary. */
export function isRunningBinary(pid: number, expectedBinary: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
    const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return basename(argv0) === expectedBinary;
  } catch {
    return false;
  }
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
