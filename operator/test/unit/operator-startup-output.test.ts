// The operator's start: the version (root package.json) on the "operator started" line and in
// switchyard_build_info, and log settings checked like the gateway's: a typo in
// SWITCHYARD_LOG_LEVEL is refused at start, naming the variable and what it accepts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseOperatorFlags } from '../../src/cli/operator-flags.js';
import { createLogger } from '../../src/observe/logger.js';
import { startOperator, type RunningOperator } from '../../src/run-operator.js';
import { startSwitchyard } from '../support/child-process.js';
import { repoRoot } from '../support/repo-paths.js';
import { startScriptedApi, type ScriptedApi } from '../support/scripted-api-server.js';

const packageVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

describe('operator start-up output', () => {
  let api: ScriptedApi;
  let operator: RunningOperator;
  const records: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    // Every API call fails (500): enough to start, which is all this looks at.
    api = await startScriptedApi([]);
    const logger = createLogger({ write: (line) => records.push(JSON.parse(line) as Record<string, unknown>) });
    const flags = parseOperatorFlags(['--listen', '127.0.0.1:0', '--health-port', '0', '--replica-id', 'version-test'], {});
    operator = await startOperator(flags, { logger, client: api.client });
  });
  afterAll(async () => {
    await operator?.close();
    await api?.close();
  });

  it('puts the version on the "operator started" line', () => {
    expect(records.find((record) => record.msg === 'operator started')).toMatchObject({
      version: packageVersion,
      nodeVersion: process.version,
    });
  });

  it('serves switchyard_build_info = 1', async () => {
    const text = await (await fetch(`http://127.0.0.1:${operator.healthPort}/metrics`)).text();
    expect(text).toContain(`switchyard_build_info{version="${packageVersion}",node_version="${process.version}",component="operator"} 1`);
  });

  it.each([
    [{ SWITCHYARD_LOG_LEVEL: 'verbose' }, [], /SWITCHYARD_LOG_LEVEL must be one of debug, info, warn, error; got "verbose"/],
    [{ SWITCHYARD_LOG_FORMAT: 'text' }, [], /SWITCHYARD_LOG_FORMAT must be one of json, pretty; got "text"/],
    [{}, ['--log-format', 'xml'], /--log-format must be one of json, pretty; got "xml"/],
  ])('refuses %j %j at start', async (env, args, message) => {
    const proc = startSwitchyard(['operator', '--listen', '127.0.0.1:0', ...args], env);
    expect(await proc.exited).toBe(2);
    expect(proc.logs()).toMatch(message);
  });

  it('takes the format from the flag, then SWITCHYARD_LOG_FORMAT, then whether stdout is a terminal', () => {
    expect(parseOperatorFlags([], {}, true).log).toEqual({ level: 'info', format: 'pretty' });
    expect(parseOperatorFlags([], {}, false).log).toEqual({ level: 'info', format: 'json' });
    expect(parseOperatorFlags([], { SWITCHYARD_LOG_FORMAT: 'pretty' }, false).log.format).toBe('pretty');
    expect(parseOperatorFlags(['--log-format', 'json', '--log-level', 'debug'], { SWITCHYARD_LOG_FORMAT: 'pretty' }, true).log).toEqual({
      level: 'debug',
      format: 'json',
    });
  });
});
