// redact with restore through every front door with its official SDK, whole and streamed: the
// upstream sees placeholders only; the caller reads its own values where the answer echoes them,
// a placeholder split across stream chunks included, and no chunk carries part of one.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GatewayProcess } from '../support/gateway-process.js';
import { FRONT_DOORS } from './front-door-drivers.js';
import { lastUserContent, policyObject, type ScriptedUpstream, startGuardrailGateway, testKey } from './guardrail-fixtures.js';

const key = testKey('grdoorrestore');

describe('guardrail redact and restore through every front door', () => {
  let upstream: ScriptedUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    ({ upstream, gateway } = await startGuardrailGateway(
      [{ name: 'pay', key, labels: { team: 'payments' } }],
      [
        policyObject(
          'pii',
          { team: 'payments' },
          [
            { name: 'emails', type: 'pii', entities: ['email'], on: 'input', action: 'redact', restore: true },
            { name: 'corp', type: 'regex', pattern: 'ACME-[0-9]{6}', on: 'input', action: 'redact' },
          ],
          { streamHoldback: 8 },
        ),
      ],
    ));
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.server.close();
  });

  describe.each(FRONT_DOORS.map((door) => [door.name, door] as const))('%s', (_name, door) => {
    it('whole: the upstream sees placeholders, the caller its own values (not those of a check without restore)', async () => {
      const text = await door.whole(gateway, key, 'SAY:mail ann@example.com about ACME-123456');
      expect(lastUserContent(upstream.bodies().at(-1) as never)).toBe('SAY:mail [EMAIL_1] about [CORP_1]');
      expect(text).toBe('mail ann@example.com about [CORP_1]');
    });

    it('streamed: a placeholder split across chunks is restored whole', async () => {
      const outcome = await door.stream(gateway, key, 'SAY:to [EM|AIL_1] ok |and more text after the value dee@example.com');
      expect(outcome.error).toBeUndefined();
      expect(lastUserContent(upstream.bodies().at(-1) as never)).toBe('SAY:to [EM|AIL_1] ok |and more text after the value [EMAIL_1]');
      expect(outcome.deltas.join('')).toBe('to dee@example.com ok and more text after the value dee@example.com');
      expect(outcome.deltas.join('\n')).not.toMatch(/\[|\]/);
    });
  });
});
