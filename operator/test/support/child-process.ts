// Runs `node bin/switchyard.mjs ...` as a child process, keeps its output, and finds the JSON
// log lines tests wait for.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, switchyardBin } from './repo-paths.js';

export interface LoggedProcess {
  readonly child: ChildProcess;
  logs(): string;
  /** Parsed JSON log records so far. */
  records(): Array<Record<string, unknown>>;
  /** Resolves with the first record (past or future) that matches. */
  waitForRecord(match: (record: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  readonly exited: Promise<number | null>;
  exitCode(): number | null | undefined;
  /** SIGTERM and wait (SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** SIGKILL and wait: a crash. */
  kill(): Promise<void>;
}

export function startSwitchyard(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  /** A command the node command line is appended to (e.g. one that enters a memory cgroup first). */
  launcher: readonly string[] = [],
  /** Another build's bin/switchyard.mjs (a bench's same-run A/B against a saved copy). */
  bin: string = switchyardBin,
): LoggedProcess {
  const command = [...launcher, process.execPath, bin, ...args];
  const child = spawn(command[0] as string, command.slice(1), {
    cwd: repoRoot,
    // JSON lines whatever the developer's shell sets: records are found by parsing them.
    env: { ...process.env, SWITCHYARD_LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let pending = '';
  const records: Array<Record<string, unknown>> = [];
  const watchers: Array<{ match: (r: Record<string, unknown>) => boolean; resolve: (r: Record<string, unknown>) => void }> = [];
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (exitCode) => {
      code = exitCode;
      resolve(exitCode);
    }),
  );
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => (output += text));
  child.stdout.on('data', (text: string) => {
    output += text;
    pending += text;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (!line.startsWith('{')) continue;
      try {
        const record = JSON.parse(line) as Record<string, unknown>;
        records.push(record);
        for (const watcher of [...watchers]) {
          if (watcher.match(record)) {
            watchers.splice(watchers.indexOf(watcher), 1);
            watcher.resolve(record);
          }
        }
      } catch {
        // not a log record
      }
    }
  });
  const stopWith = async (signal: NodeJS.Signals): Promise<void> => {
    if (code !== undefined) return;
    child.kill(signal);
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  };
  return {
    child,
    logs: () => output,
    records: () => [...records],
    exited,
    exitCode: () => code,
    waitForRecord(match, timeoutMs = 30_000) {
      const found = records.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching log line within ${timeoutMs} ms; output:\n${output.slice(-4000)}`)),
          timeoutMs,
        );
        const watcher = {
          match,
          resolve: (record: Record<string, unknown>) => {
            clearTimeout(timer);
            resolve(record);
          },
        };
        watchers.push(watcher);
        void exited.then((exitCode) => {
          if (!watchers.includes(watcher)) return;
          clearTimeout(timer);
          reject(new Error(`process exited with ${String(exitCode)} before the expected log line; output:\n${output.slice(-4000)}`));
        });
      });
    },
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
  };
}

/**
 * The standalone example gateway (examples/standalone) on free loopback ports, with an audit log
 * at `auditLog`: the audit log's metrics are registered only when one is configured, so with it
 * the gateway exports every metric it has.
 */
export function startExampleGateway(auditLog: string): LoggedProcess {
  return startSwitchyard([
    'gateway',
    '--config',
    join(repoRoot, 'examples', 'standalone'),
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--admin-port',
    '0',
    '--audit-log',
    auditLog,
  ]);
}
