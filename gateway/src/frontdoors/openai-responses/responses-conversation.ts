// `previous_response_id`: joins the stored conversation a request continues with the request's
// own input, and prepares what is stored once this turn is answered. A stored conversation is
// found only under the virtual key that created it; any other key gets the same "not found" as
// an unknown id, so ids reveal nothing across tenants.

import { GatewayError, invalidRequest } from '../../errors/gateway-error.js';
import type { UnifiedChatRequest, UnifiedMessage } from '../../unified/chat-request.js';
import type { OutputPart } from '../../unified/chat-response.js';
import type { FrontDoorContext } from '../../unified/front-door-codec.js';
import type { DecodedResponsesRequest } from '../../wire/openai-responses/index.js';
import type { ResponseStore, StoredResponse, StoredTurn } from './response-store.js';

export interface ConversationTurn {
  /** The store scope: the virtual key this turn was authenticated with. */
  scope: string;
  /** The stored form of this turn once answered: what it continued, its input, and the model's output. */
  finish(id: string, output: OutputPart[]): StoredTurn;
}

/**
 * The virtual key the request authenticated with. The pipeline sets `keyId` on the context
 * after authentication; without it nothing can be scoped, so nothing is stored or found.
 */
export function storeScopeOf(context: FrontDoorContext): string | undefined {
  if ('keyId' in context && typeof context.keyId === 'string' && context.keyId !== '') return context.keyId;
  return undefined;
}

/**
 * Joins `previous` (the stored response `previous_response_id` named, from storedConversation;
 * undefined for a first turn) with the request's own input.
 */
export function continueConversation(
  decoded: DecodedResponsesRequest,
  scope: string | undefined,
  previous: StoredResponse | undefined,
): { request: UnifiedChatRequest; turn: ConversationTurn | undefined } {
  const input = decoded.input;
  const history: readonly UnifiedMessage[] = previous?.messages ?? [];
  nameToolResults(input, history);
  const messages =
    history.length === 0
      ? decoded.request.messages
      : [...(decoded.instructions === undefined ? [] : [decoded.instructions]), ...history, ...input];
  if (!messages.some((message) => message.role !== 'system')) {
    throw invalidRequest("Missing required parameter: 'input' (or 'previous_response_id' of a response to continue)", 'input');
  }
  const request: UnifiedChatRequest = { ...decoded.request, messages };
  if (scope === undefined) return { request, turn: undefined };
  return {
    request,
    turn: {
      scope,
      finish(id, output) {
        const appended: UnifiedMessage[] = output.length === 0 ? [...input] : [...input, { role: 'assistant', content: [...output] }];
        return { id, previous, appended };
      },
    },
  };
}

/** The response stored as `id` under `scope`; refuses, naming the id, when there is none. */
export async function storedConversation(id: string, scope: string | undefined, store: ResponseStore): Promise<StoredResponse> {
  if (scope === undefined) {
    throw new GatewayError(
      'invalid_request',
      "'previous_response_id' is not available: this gateway cannot tell which virtual key a stored response belongs to",
      {
        param: 'previous_response_id',
        code: 'previous_response_not_found',
      },
    );
  }
  const stored = await store.get(scope, id);
  if (stored === undefined) {
    throw new GatewayError('invalid_request', `Previous response with id '${id}' not found.`, {
      param: 'previous_response_id',
      code: 'previous_response_not_found',
    });
  }
  return stored;
}

/** Tool answers in the input name the tool they answer when its call is in the stored history. */
function nameToolResults(input: UnifiedMessage[], history: readonly UnifiedMessage[]): void {
  if (history.length === 0) return;
  const names = new Map<string, string>();
  for (const message of history) {
    for (const part of message.content) if (part.type === 'tool_call') names.set(part.id, part.name);
  }
  for (const message of input) {
    for (const part of message.content) {
      if (part.type !== 'tool_result' || part.toolName !== undefined) continue;
      const name = names.get(part.toolCallId);
      if (name !== undefined) part.toolName = name;
    }
  }
}
