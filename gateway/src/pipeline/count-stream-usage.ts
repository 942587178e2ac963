// Stream stage: the usage the upstream reports on a stream becomes the request's usage, which
// settle charges and observe logs. A replayed cached answer carries the stored usage, which is
// not charged again, so cache hits are left out.
import type { StreamStage, StreamTransformer } from './stages.js';

const usageCounter: StreamTransformer = {
  transform(events, exchange) {
    for (const event of events) if (event.type === 'usage') exchange.usage = event.usage;
    return events;
  },
};

export const countStreamUsage: StreamStage = (exchange) => (exchange.cache === 'hit' ? undefined : usageCounter);
