// Starts the real gateway as a child process (`node bin/switchyard.mjs gateway`) on a temporary
// manifest directory with ephemeral ports, and waits for its "listening" line. Integration
// tests of every part of the gateway drive it through this.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, switchyardBin } from './repo-paths.js';

export interface StartGatewayOptions {
  /** File name -> YAML text, written into the config directory before start. */
  manifests: Record<string, string>;
  env?: Record<string, string>;
  /** Extra `switchyard gateway` flags. */
  args?: string[];
  /** How long to wait for the listening line (default 20 s). */
  startTimeoutMs?: number;
}

export interface GatewayProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `http://127.0.0.1:<admin port>` */
  adminUrl: string;
  configDir: string;
  /** Everything the process wrote to stdout and stderr so far. */
  logs(): string;
  /** Writes (or replaces) a manifest file atomically, so the watcher never sees half a file. */
  writeManifest(name: string, yaml: string): Promise<void>;
  /** SIGTERM, wait for exit (SIGKILL after 10 s), remove the config directory. */
  stop(): Promise<void>;
  /** The child process, for tests of signals and exit codes. */
  readonly process: ChildProcess;
}

export class GatewayStartError extends Error {
  constructor(
    message: string,
    readonly output: string,
    readonly exitCode: number | null,
  ) {
    super(message);
    this.name = 'GatewayStartError';
  }
}

export async function startGateway(options: StartGatewayOptions): Promise<GatewayProcess> {
  const configDir = await mkdtemp(join(tmpdir(), 'switchyard-gw-'));
  for (const [name, yaml] of Object.entries(options.manifests)) await writeFile(join(configDir, name), yaml);
  const child = spawn(
    process.execPath,
    [switchyardBin, 'gateway', '--config', configDir, '--host', '127.0.0.1', '--port', '0', '--admin-port', '0', ...(options.args ?? [])],
    {
      cwd: repoRoot,
      // JSON lines whatever the developer's shell sets: the listening line is found by parsing them.
      // Lines written once per event-loop turn, as they happen: tests read the log right after a request.
      env: { ...process.env, SWITCHYARD_LOG_FORMAT: 'json', SWITCHYARD_LOG_FLUSH_MS: '0', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolveExit) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolveExit();
    }),
  );
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    output += text;
  });

  const listening = await new Promise<{ port: number; adminPort: number }>((resolveListening, rejectListening) => {
    let pending = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rejectListening(
        new GatewayStartError(`gateway did not report listening within ${options.startTimeoutMs ?? 20_000} ms:\n${output}`, output, null),
      );
    }, options.startTimeoutMs ?? 20_000);
    child.stdout.on('data', (text: string) => {
      output += text;
      pending += text;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        const record = parseJsonLine(line);
        if (record?.msg === 'listening' && typeof record.port === 'number' && typeof record.adminPort === 'number') {
          clearTimeout(timer);
          resolveListening({ port: record.port, adminPort: record.adminPort });
        }
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      rejectListening(
        new GatewayStartError(`gateway exited with code ${String(exitCode)} before listening:\n${output}`, output, exitCode ?? null),
      );
    });
  }).catch(async (error: unknown) => {
    await rm(configDir, { recursive: true, force: true });
    throw error;
  });

  return {
    url: `http://127.0.0.1:${listening.port}`,
    adminUrl: `http://127.0.0.1:${listening.adminPort}`,
    configDir,
    process: child,
    logs: () => output,
    async writeManifest(name, yaml) {
      const temporary = join(configDir, `.${name}.${process.pid}.tmp`);
      await writeFile(temporary, yaml);
      await rename(temporary, join(configDir, name));
    },
    async stop() {
      if (exitCode === undefined) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      await rm(configDir, { recursive: true, force: true });
    },
  };
}

function parseJsonLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
