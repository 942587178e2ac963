// A caller's batch input file (JSONL, purpose "batch") -> BatchInputFile. Every line must be a
// POST to /v1/chat/completions with a unique custom_id and a body the chat decoder accepts, and
// every line must name the same model: the gateway routes, authorizes and prices a batch by that
// one model. Each problem is a 400 naming the line (1-based, as editors count).
import { isRecord } from '@switchyard/compiler';
import { GatewayError, invalidRequest } from '../../errors/gateway-error.js';
import { reflected } from '../../errors/reflected-input.js';
import type { BatchInputFile, BatchInputLine } from '../../unified/batch.js';
import { decodeOpenAIChatRequest } from '../openai-chat/index.js';

/** The one endpoint batch lines may call through the gateway (embeddings batches are not routed yet). */
export const BATCH_LINE_URL = '/v1/chat/completions';

export function decodeBatchInputFile(text: string, maxLines: number): BatchInputFile {
  const lines: BatchInputLine[] = [];
  const seen = new Set<string>();
  let model: string | undefined;
  let lineNumber = 0;
  for (const raw of text.split('\n')) {
    lineNumber += 1;
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    if (lines.length >= maxLines)
      throw new GatewayError('payload_too_large', `batch input file has more than ${maxLines} requests (the gateway's limit per file)`, {
        code: 'too_many_lines',
      });
    const line = decodeLine(trimmed, lineNumber);
    if (seen.has(line.customId))
      throw invalidRequest(`line ${lineNumber}: custom_id \`${reflected(line.customId)}\` is used twice`, 'file');
    seen.add(line.customId);
    if (model === undefined) model = line.request.model;
    else if (line.request.model !== model)
      throw invalidRequest(
        `line ${lineNumber}: model \`${reflected(line.request.model)}\` differs from \`${reflected(model)}\` on the lines before; a batch runs one model`,
        'file',
      );
    lines.push(line);
  }
  if (model === undefined) throw invalidRequest('batch input file has no requests', 'file');
  return { model, lines };
}

function decodeLine(text: string, lineNumber: number): BatchInputLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidRequest(`line ${lineNumber} is not valid JSON`, 'file');
  }
  if (!isRecord(parsed)) throw invalidRequest(`line ${lineNumber} is not a JSON object`, 'file');
  const { custom_id: customId, method, url, body } = parsed;
  if (typeof customId !== 'string' || customId === '')
    throw invalidRequest(`line ${lineNumber}: custom_id must be a non-empty string`, 'file');
  if (method !== 'POST') throw invalidRequest(`line ${lineNumber}: method must be POST`, 'file');
  if (url !== BATCH_LINE_URL) throw invalidRequest(`line ${lineNumber}: url must be ${BATCH_LINE_URL}`, 'file');
  if (!isRecord(body)) throw invalidRequest(`line ${lineNumber}: body must be a JSON object`, 'file');
  if (body.stream === true) throw invalidRequest(`line ${lineNumber}: a batch request cannot stream`, 'file');
  try {
    return { customId, body, request: decodeOpenAIChatRequest(body).request };
  } catch (error) {
    if (error instanceof GatewayError) throw invalidRequest(`line ${lineNumber}: ${error.message}`, 'file');
    throw error;
  }
}

/**
 * The file as an OpenAI-format upstream receives it: each line's body names the backend's model
 * (Azure: its deployment) instead of the gateway's public name.
 */
export function encodeUpstreamBatchInputFile(file: BatchInputFile, upstreamModel: string): string {
  let out = '';
  for (const line of file.lines)
    out += `${JSON.stringify({ custom_id: line.customId, method: 'POST', url: BATCH_LINE_URL, body: { ...line.body, model: upstreamModel } })}\n`;
  return out;
}
