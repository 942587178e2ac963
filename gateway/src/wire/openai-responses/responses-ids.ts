// Ids in OpenAI's shapes: `resp_` for responses, `msg_`, `fc_`, `rs_`, `mcpl_` (MCP tool listings)
// and `mcp_` (MCP calls) for output items.
// A response id is also the handle for `previous_response_id`, so it carries 192 random bits:
// knowing one is never guessable from another.

import { randomBytes } from 'node:crypto';

type ResponsesItemKind = 'msg' | 'fc' | 'rs' | 'mcpl' | 'mcp';

export function newResponseId(): string {
  return `resp_${randomBytes(24).toString('hex')}`;
}

export function newItemId(kind: ResponsesItemKind): string {
  return `${kind}_${randomBytes(16).toString('hex')}`;
}
