// What a person starting the gateway sees: the log level and format they asked for (or a clear
// refusal of a typo), a port clash that names the port and the flag that moves it, printed after
// the log lines that came before it, and `make run` honouring PORT, HOST and ADMIN_PORT.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseGatewayFlags } from '../../src/cli/gateway-flags.js';
import { repoRoot, switchyardBin } from '../support/repo-paths.js';
import { documents, keyObjects, mockBackend, routeObject, testKey } from './core-fixtures.js';

let dir: string;
let configDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-startup-'));
  configDir = join(dir, 'config');
  await mkdir(configDir);
  await writeFile(
    join(configDir, 'all.yaml'),
    documents(...keyObjects({ name: 'k', key: testKey('startup') }), routeObject({ name: 'm', backends: [mockBackend('m')] })),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Finished {
  code: number | null;
  /** stdout and stderr as one stream, in the order the process wrote them. */
  output: string;
}

/**
 * Runs the gateway with stdout and stderr on one file, as a terminal or `2>&1` would show them,
 * until it exits or prints `until` (then SIGTERM).
 */
function runGateway(args: string[], env: Record<string, string> = {}, until?: RegExp): Promise<Finished> {
  const file = join(dir, `output-${Math.random().toString(36).slice(2)}.txt`);
  const fd = openSync(file, 'w');
  const child = spawn(process.execPath, [switchyardBin, 'gateway', '--config', configDir, ...args], {
    cwd: repoRoot,
    env: { ...process.env, SWITCHYARD_LOG_LEVEL: '', SWITCHYARD_LOG_FORMAT: '', ...env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const read = () => readFileSync(file, 'utf8');
  return new Promise((resolveRun, rejectRun) => {
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      rejectRun(new Error(`gateway neither exited nor printed ${String(until)} in 20 s:\n${read()}`));
    }, 20_000);
    const poll =
      until === undefined
        ? undefined
        : setInterval(() => {
            if (until.test(read())) child.kill('SIGTERM');
          }, 50);
    child.on('exit', (code) => {
      clearTimeout(deadline);
      if (poll !== undefined) clearInterval(poll);
      resolveRun({ code, output: read() });
    });
  });
}

function occupyPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolveListen) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolveListen({ server, port: typeof address === 'object' && address !== null ? address.port : 0 });
    });
  });
}

describe('port clashes', () => {
  it('names the admin port and --admin-port, after the lines logged before it', async () => {
    const { server, port } = await occupyPort();
    try {
      const result = await runGateway(['--port', '0', '--admin-port', String(port)]);
      expect(result.code).toBe(1);
      expect(result.output).toContain(`admin port ${port} on 127.0.0.1 is already in use`);
      expect(result.output).toContain('--admin-port');
      const loaded = result.output.indexOf('routing table loaded');
      expect(loaded).toBeGreaterThanOrEqual(0);
      expect(loaded).toBeLessThan(result.output.indexOf('cannot listen'));
    } finally {
      server.close();
    }
  });

  it('names the public port and --port', async () => {
    const { server, port } = await occupyPort();
    try {
      const result = await runGateway(['--port', String(port), '--admin-port', '0']);
      expect(result.code).toBe(1);
      expect(result.output).toMatch(new RegExp(`cannot listen: port ${port} on 127\\.0\\.0\\.1 is already in use.*--port <n>`));
      expect(result.output).not.toContain('--admin-port');
    } finally {
      server.close();
    }
  });
});

describe('log level and format', () => {
  it.each([
    [{ SWITCHYARD_LOG_LEVEL: 'verbose' }, [], /SWITCHYARD_LOG_LEVEL must be one of debug, info, warn, error; got "verbose"/],
    [{ SWITCHYARD_LOG_FORMAT: 'text' }, [], /SWITCHYARD_LOG_FORMAT must be one of json, pretty; got "text"/],
    [{}, ['--log-level', 'loud'], /--log-level must be one of debug, info, warn, error; got "loud"/],
    [{}, ['--log-format', 'xml'], /--log-format must be one of json, pretty; got "xml"/],
  ])('refuses %j %j at start, naming the setting and what it accepts', async (env, args, message) => {
    const result = await runGateway(['--port', '0', '--admin-port', '0', ...args], env);
    expect(result.code).toBe(2);
    expect(result.output).toMatch(message);
  });

  it('writes readable lines with SWITCHYARD_LOG_FORMAT=pretty', async () => {
    const result = await runGateway(['--port', '0', '--admin-port', '0'], { SWITCHYARD_LOG_FORMAT: 'pretty' }, /listening/);
    expect(result.output).toMatch(/^\d\d:\d\d:\d\d\.\d{3}Z INFO {2}gateway listening version=\S+ .*port=\d+/m);
    expect(result.output).not.toMatch(/^\{/m);
  });

  it('writes JSON lines with --log-format json, whatever the variable says', async () => {
    const result = await runGateway(
      ['--port', '0', '--admin-port', '0', '--log-format', 'json'],
      { SWITCHYARD_LOG_FORMAT: 'pretty' },
      /listening/,
    );
    const listening = result.output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((record) => record.msg === 'listening');
    expect(listening).toMatchObject({ level: 'info', component: 'gateway' });
  });

  it('defaults to pretty on a terminal and JSON otherwise', () => {
    const args = ['--config', configDir];
    expect(parseGatewayFlags(args, {}, true).log).toEqual({ level: 'info', format: 'pretty' });
    expect(parseGatewayFlags(args, {}, false).log).toEqual({ level: 'info', format: 'json' });
    expect(parseGatewayFlags(args, { SWITCHYARD_LOG_FORMAT: 'json', SWITCHYARD_LOG_LEVEL: 'warn' }, true).log).toEqual({
      level: 'warn',
      format: 'json',
    });
  });

  it('documents the variables in --help', () => {
    const help = spawnSync(process.execPath, [switchyardBin, 'gateway', '--help'], { encoding: 'utf8' }).stdout;
    expect(help).toContain('$SWITCHYARD_LOG_LEVEL');
    expect(help).toContain('$SWITCHYARD_LOG_FORMAT');
  });
});

describe('make run', () => {
  it('passes PORT, HOST and ADMIN_PORT to the gateway', () => {
    const dryRun = spawnSync('make', ['-n', '-s', 'run', 'PORT=8181', 'HOST=127.0.0.2', 'ADMIN_PORT=9191'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(dryRun.status).toBe(0);
    const command = dryRun.stdout.split('\n').find((line) => line.includes('bin/switchyard.mjs gateway'));
    expect(command).toMatch(/--host 127\.0\.0\.2 --port 8181 --admin-port 9191/);
  });

  it('ignores HOST and PORT exported by the shell (zsh exports HOST as the machine name)', () => {
    const dryRun = spawnSync('make', ['-n', '-s', 'run'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, HOST: 'laptop.local', PORT: '5000' },
    });
    expect(dryRun.status).toBe(0);
    const command = dryRun.stdout.split('\n').find((line) => line.includes('bin/switchyard.mjs gateway'));
    expect(command).toMatch(/--host 127\.0\.0\.1 --port 8080 --admin-port 9090/);
  });
});
