// What a provider's batch API charges, as a share of its standard (catalog or `pricing`) token
// prices: a batch's results are charged at that share when they are fetched through the gateway
// (docs/governance.md, "Batches"). One entry per provider with a batch API the gateway maps,
// each with the page it was read from and when; re-read the source before relying on it.

import type { ProviderName } from '../generated/resource-shapes.js';

export interface BatchDiscount {
  /** Percent of the standard price a batch token costs (50: half price). */
  percentOfStandard: number;
  /** The provider's own page stating the batch price. */
  source: string;
  /** When the page was read (YYYY-MM-DD). */
  asOf: string;
}

export const BATCH_DISCOUNTS: Readonly<Partial<Record<ProviderName, BatchDiscount>>> = {
  // "Batch API ... 50% cost discount compared to synchronous APIs"
  openai: { percentOfStandard: 50, source: 'https://platform.openai.com/docs/guides/batch', asOf: '2026-12-07' },
  // Global Batch deployments: "50% less cost than global standard"
  'azure-openai': {
    percentOfStandard: 50,
    source: 'https://learn.microsoft.com/en-us/azure/ai-foundry/openai/how-to/batch',
    asOf: '2026-12-07',
  },
  // Message Batches: "all usage is charged at 50% of the standard API prices"
  anthropic: { percentOfStandard: 50, source: 'https://docs.anthropic.com/en/docs/build-with-claude/batch-processing', asOf: '2026-12-07' },
};
