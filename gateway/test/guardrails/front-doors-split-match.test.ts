// A match split across stream chunks, through every front door with its official SDK: an output
// redact check sees the card number whole although it arrives in four pieces, the caller gets the
// placeholder and never a digit of it, and clean text before it is released with it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GatewayProcess } from '../support/gateway-process.js';
import { FRONT_DOORS } from './front-door-drivers.js';
import { policyObject, type ScriptedUpstream, startGuardrailGateway, testKey } from './guardrail-fixtures.js';

const key = testKey('grdoorsplit');

describe('guardrail match split across stream chunks, every front door', () => {
  let upstream: ScriptedUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    ({ upstream, gateway } = await startGuardrailGateway(
      [{ name: 'pay', key, labels: { team: 'payments' } }],
      [
        policyObject(
          'pii',
          { team: 'payments' },
          [{ name: 'cards', type: 'pii', entities: ['credit_card'], on: 'output', action: 'redact' }],
          {
            streamHoldback: 32,
          },
        ),
      ],
    ));
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.server.close();
  });

  it.each(FRONT_DOORS.map((door) => [door.name, door] as const))('%s', async (_name, door) => {
    const outcome = await door.stream(gateway, key, `SAY:${'y'.repeat(40)} card 41|11 1111 1|111 11|11 on file, and more text after it`);
    expect(outcome.error).toBeUndefined();
    expect(outcome.deltas.join('')).toBe(`${'y'.repeat(40)} card [CREDIT_CARD_1] on file, and more text after it`);
    expect(outcome.deltas.length).toBeGreaterThan(1);
    expect(outcome.deltas.some((d) => /\d/.test(d.replace(/\[CREDIT_CARD_1\]/g, '')))).toBe(false);
  });
});
