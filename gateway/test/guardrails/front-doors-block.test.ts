// action: block through every front door with its official SDK, whole and streamed: a prompt that
// matches is refused with HTTP 400 and guardrail_blocked naming the policy and the check (never
// the text) before anything reaches the upstream; an answer that matches is replaced by the
// error, or, streamed, ends with the front door's own error event, no part of the match shown.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GatewayProcess } from '../support/gateway-process.js';
import { errorText, FRONT_DOORS } from './front-door-drivers.js';
import { policyObject, type ScriptedUpstream, startGuardrailGateway, testKey } from './guardrail-fixtures.js';

const key = testKey('grdoorblock');
const CARD = '4111 1111 1111 1111';

describe('guardrail block through every front door', () => {
  let upstream: ScriptedUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    ({ upstream, gateway } = await startGuardrailGateway(
      [{ name: 'pay', key, labels: { team: 'payments' } }],
      [
        policyObject('pii', { team: 'payments' }, [
          { name: 'cards', type: 'pii', entities: ['credit_card'], on: 'input', action: 'block' },
          { name: 'words', type: 'denylist', phrases: ['project falcon'], on: 'output', action: 'block' },
        ]),
      ],
    ));
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.server.close();
  });

  describe.each(FRONT_DOORS.map((door) => [door.name, door] as const))('%s', (_name, door) => {
    it('refuses a prompt, whole: 400, guardrail_blocked, policy and check named, upstream not called', async () => {
      const before = upstream.bodies().length;
      const error = await door.whole(gateway, key, `charge ${CARD} now`).then(
        () => undefined,
        (e: unknown) => e,
      );
      const text = errorText(error);
      expect(text).toContain('400');
      expect(text).toContain('guardrail_blocked');
      expect(text).toContain('GuardrailPolicy default/pii, check cards');
      expect(text).not.toContain('4111');
      expect(upstream.bodies().length).toBe(before);
    });

    it('refuses a prompt asking for a stream the same way', async () => {
      const before = upstream.bodies().length;
      const outcome = await door.stream(gateway, key, `SAY:x|y ${CARD}`).catch((e: unknown) => ({ deltas: [], error: e }));
      const text = errorText(outcome.error);
      expect(text).toContain('guardrail_blocked');
      expect(text).toContain('check cards');
      expect(outcome.deltas).toEqual([]);
      expect(upstream.bodies().length).toBe(before);
    });

    it('replaces a whole answer that matches with the error', async () => {
      const error = await door.whole(gateway, key, 'SAY:all about Project Falcon.').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(errorText(error)).toContain('guardrail_blocked');
      expect(errorText(error)).toContain('the answer was blocked by GuardrailPolicy default/pii, check words');
    });

    it('ends a stream whose answer matches with the front door’s error event, the match split across chunks', async () => {
      const outcome = await door.stream(gateway, key, 'SAY:fine words |about project |falcon here');
      expect(errorText(outcome.error)).toContain('guardrail_blocked');
      expect(errorText(outcome.error)).toContain('check words');
      expect(outcome.deltas.join('').toLowerCase()).not.toContain('falcon');
    });
  });
});
