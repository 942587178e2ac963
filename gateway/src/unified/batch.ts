// A batch job as the gateway sees it, whichever provider runs it: the caller's JSONL input file
// of /v1/chat/completions requests (one model for every line), and the job's state and results
// in OpenAI's Batch API shape. `wire/openai-batch/` reads and writes the provider formats.
import type { Usage } from '@switchyard/compiler';
import type { UnifiedChatRequest } from './chat-request.js';

/** One line of a batch input file: `{custom_id, method: "POST", url: "/v1/chat/completions", body}`. */
export interface BatchInputLine {
  customId: string;
  /** The line's chat request body as the caller wrote it (sent to OpenAI-format upstreams with the model rewritten). */
  body: Record<string, unknown>;
  /** The same body decoded: translated for Anthropic, and what the budget estimate reads. */
  request: UnifiedChatRequest;
}

export interface BatchInputFile {
  /** The model every line names. */
  model: string;
  lines: BatchInputLine[];
}

/** OpenAI's batch statuses, which every provider's job state is mapped onto. */
export type BatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

export interface BatchRequestCounts {
  total: number;
  completed: number;
  failed: number;
}

/** A batch's results, as OpenAI output-file lines, with the usage they add up to. */
export interface BatchResults {
  /** JSONL, one line per request, in OpenAI's batch output shape. */
  jsonl: string;
  usage: Usage;
  /** Lines that carried a response (the rest are errors). */
  answered: number;
}
