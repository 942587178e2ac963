// The reservation bound of an audio request, in the billing unit of each backend it may reach
// (seconds of audio, characters of text, or tokens): the largest over them, so admission never
// reserves less than the dearest backend could bill. Units are what the backends' per-million
// prices are in (compiler/src/pricing/audio-price-catalog-data.ts).
import type { RuntimeRoute } from '../../table/runtime-table.js';
import type { UnifiedAudioRequest } from '../../unified/audio.js';
import { audioUnitOf, estimateAudioUsage } from '../../wire/audio/index.js';

export function estimateAudioUnits(request: UnifiedAudioRequest, routes: readonly RuntimeRoute[]): { input: number; output: number } {
  let input = 0;
  let output = 0;
  for (const route of routes)
    for (const backend of route.compiled.backends) {
      const usage = estimateAudioUsage(request, audioUnitOf(backend.provider, backend.model, request));
      input = Math.max(input, usage.input);
      output = Math.max(output, usage.output);
    }
  return { input, output };
}
