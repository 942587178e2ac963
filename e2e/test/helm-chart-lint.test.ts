// `helm lint --strict` of charts/switchyard with default values and with every optional feature on.
import { describe, expect, it } from '@jest/globals';
import { ALL_FEATURES, CHART_DIR, helm, helmPath, skipNotice } from './helm-chart-support.js';

const describeWithHelm = helmPath() ? describe : describe.skip;
if (!helmPath()) skipNotice('helm lint tests');

describeWithHelm('helm lint --strict', () => {
  it.each([
    ['default values', [] as string[]],
    ['every optional feature on', ALL_FEATURES],
    [
      'an existing TLS Secret and Redis Secret, autoscaling off',
      [
        '--set',
        'tls.existingSecret=operator-cert',
        '--set',
        'redis.existingSecret.name=cache',
        '--set',
        'gateway.autoscaling.enabled=false',
      ],
    ],
  ])(
    'passes with %s',
    async (_label, args) => {
      const result = await helm(['lint', '--strict', CHART_DIR, ...args]);
      if (result.code !== 0) throw new Error(`helm lint failed:\n${result.stdout}\n${result.stderr}`);
      expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
      expect(result.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    },
    60_000,
  );
});
