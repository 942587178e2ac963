// Reads assistant output from OpenAI-format messages and deltas. Besides OpenAI's plain string,
// compatible providers send reasoning as `reasoning_content` (DeepSeek, vLLM) or `reasoning`
// (OpenRouter, Ollama, Groq), and Mistral's reasoning models send content as an array of
// `text` and `thinking` chunks.

import { isRecord, type JsonRecord } from '@switchyard/compiler';

interface AssistantOutput {
  text: string;
  reasoning: string;
}

export function readAssistantOutput(message: JsonRecord): AssistantOutput {
  const out: AssistantOutput = { text: '', reasoning: '' };
  const content = message.content;
  if (typeof content === 'string') out.text = content;
  else if (Array.isArray(content)) collectChunks(content, out, false);
  const reasoning = message.reasoning_content ?? message.reasoning;
  if (typeof reasoning === 'string') out.reasoning = reasoning + out.reasoning;
  return out;
}

function collectChunks(chunks: unknown[], out: AssistantOutput, inThinking: boolean): void {
  for (const chunk of chunks) {
    if (!isRecord(chunk)) continue;
    if (chunk.type === 'text' && typeof chunk.text === 'string') {
      if (inThinking) out.reasoning += chunk.text;
      else out.text += chunk.text;
    } else if (chunk.type === 'thinking') {
      if (typeof chunk.thinking === 'string') out.reasoning += chunk.thinking;
      else if (Array.isArray(chunk.thinking)) collectChunks(chunk.thinking, out, true);
    }
  }
}
