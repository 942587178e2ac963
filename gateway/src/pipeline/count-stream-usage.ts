// Stream stage: the usage the upstream reports on a stream becomes the request's usage, which
// settle charges and observe logs. A replayed cached answer carries the stored usage, which is
// not charged again, so cache hits are left out.
//
// It also keeps a running measure of the output streamed so far (characters and delta events):
// when the gateway itself cuts a stream (shutdown, a client that stopped reading) before the
// upstream's usage arrived, settle charges an estimate from it instead of the worst case.
import type { StreamStage, StreamTransformer } from './stages.js';

const usageCounter: StreamTransformer = {
  transform(events, exchange) {
    for (const event of events) {
      switch (event.type) {
        case 'usage':
          exchange.usage = event.usage;
          break;
        case 'text_delta':
        case 'reasoning_delta':
          exchange.streamedChars += event.text.length;
          exchange.streamedDeltas += 1;
          break;
        case 'tool_call_start':
          exchange.streamedChars += event.name.length;
          break;
        case 'tool_call_delta':
          exchange.streamedChars += event.argumentsDelta.length;
          exchange.streamedDeltas += 1;
          break;
        default:
          break;
      }
    }
    return events;
  },
};

export const countStreamUsage: StreamStage = (exchange) => (exchange.cache === 'hit' ? undefined : usageCounter);
