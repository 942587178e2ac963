// action: log through every front door with its official SDK, whole and streamed: prompt and
// answer pass unchanged, and each request's log line records the decision, never the text.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '../support/eventually.js';
import type { GatewayProcess } from '../support/gateway-process.js';
import { FRONT_DOORS } from './front-door-drivers.js';
import {
  lastUserContent,
  policyObject,
  requestLines,
  type ScriptedUpstream,
  startGuardrailGateway,
  testKey,
} from './guardrail-fixtures.js';

const key = testKey('grdoorlog');
const SECRET = 'sk-proj-abcdefghijklmnopqrstuvwx1234';

describe('guardrail log-only through every front door', () => {
  let upstream: ScriptedUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    ({ upstream, gateway } = await startGuardrailGateway(
      [{ name: 'dev', key, labels: { team: 'dev' } }],
      [policyObject('audit', { team: 'dev' }, [{ name: 'creds', type: 'secrets', on: 'both', action: 'log' }])],
    ));
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.server.close();
  });

  const lastLine = async (count: number) => {
    await eventually(async () => requestLines(gateway).length >= count);
    return requestLines(gateway).at(-1) as Record<string, unknown>;
  };
  const both = [
    { policy: 'default/audit', check: 'creds', action: 'log', on: 'input' },
    { policy: 'default/audit', check: 'creds', action: 'log', on: 'output' },
  ];

  describe.each(FRONT_DOORS.map((door) => [door.name, door] as const))('%s', (_name, door) => {
    it('whole: unchanged both ways, both decisions logged', async () => {
      const count = requestLines(gateway).length;
      expect(await door.whole(gateway, key, `SAY:use ${SECRET}`)).toBe(`use ${SECRET}`);
      expect(lastUserContent(upstream.bodies().at(-1) as never)).toBe(`SAY:use ${SECRET}`);
      expect((await lastLine(count + 1)).guardrails).toEqual(both);
    });

    it('streamed: unchanged, a secret split across chunks included (whole only in the answer), its decision logged', async () => {
      const count = requestLines(gateway).length;
      const outcome = await door.stream(gateway, key, `SAY:key ${SECRET.slice(0, 12)}|${SECRET.slice(12)} end`);
      expect(outcome.error).toBeUndefined();
      expect(outcome.deltas.join('')).toBe(`key ${SECRET} end`);
      // The prompt carries the secret in two pieces around the script's `|`; the answer has it whole.
      expect((await lastLine(count + 1)).guardrails).toEqual(both.slice(1));
      expect(gateway.logs()).not.toContain(SECRET.slice(8));
    });
  });
});
