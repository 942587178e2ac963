// Reads an OpenAI SDK chat completion stream to its end and puts it back together: the text, the
// last finish reason, the usage chunk and the tool calls (by index, fragments joined).
import type OpenAI from 'openai';

interface CollectedToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface CollectedChatStream {
  text: string;
  finish: string | null;
  usage: OpenAI.CompletionUsage | undefined;
  toolCalls: CollectedToolCall[];
  chunks: number;
}

export async function collectChatStream(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>): Promise<CollectedChatStream> {
  let text = '';
  let finish: string | null = null;
  let usage: OpenAI.CompletionUsage | undefined;
  let chunks = 0;
  const calls = new Map<number, CollectedToolCall>();
  for await (const chunk of stream) {
    chunks += 1;
    const choice = chunk.choices[0];
    text += choice?.delta.content ?? '';
    for (const delta of choice?.delta.tool_calls ?? []) {
      const call = calls.get(delta.index) ?? { id: '', name: '', arguments: '' };
      call.id += delta.id ?? '';
      call.name += delta.function?.name ?? '';
      call.arguments += delta.function?.arguments ?? '';
      calls.set(delta.index, call);
    }
    finish = choice?.finish_reason ?? finish;
    usage = chunk.usage ?? usage;
  }
  return { text, finish, usage, toolCalls: [...calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call), chunks };
}
