// Every model round of a hosted-tool loop counts against the key's requestsPerMinute, through a
// standalone gateway process and the official OpenAI SDK (Responses `mcp` tools): with 2 requests
// per minute, a request whose loop takes two rounds uses both, so the next request is refused at
// admission; a loop whose second round finds no room ends with a 429 naming the round, after the
// tool of the first round ran (once).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openAIClient } from '../core/core-fixtures.js';
import { startHostedToolsDeployment, toolCall, USAGE, type HostedToolsDeployment } from './hosted-tools-fixtures.js';

const MCP_TOOL = { type: 'mcp', server_label: 'tools', require_approval: 'never' } as const;

describe('hosted tool rounds and requestsPerMinute', () => {
  let deployment: HostedToolsDeployment;

  beforeAll(async () => {
    deployment = await startHostedToolsDeployment('rounds');
  });

  afterAll(async () => {
    await deployment?.stop();
  });

  it('each model round takes a request from the key: a two-round loop uses up 2 requests per minute', async () => {
    const client = openAIClient(deployment.gateway, deployment.limitedKey);
    deployment.model.script(
      { toolCalls: [toolCall('call_1', 'tools__echo', { text: 'one' })], finishReason: 'tool_calls', usage: USAGE },
      { content: 'two rounds', usage: USAGE },
    );
    const first = await client.responses.create({ model: 'assistant', input: 'q', tools: [MCP_TOOL] });
    expect(first.output_text).toBe('two rounds');
    expect(deployment.model.chatRequests).toHaveLength(2);

    // Both requests of the minute were used by the two rounds.
    const next = client.responses.create({ model: 'assistant', input: 'q' });
    await expect(next).rejects.toMatchObject({ status: 429 });
    await expect(next).rejects.toThrow('2 requests per minute');
    expect(deployment.model.chatRequests).toHaveLength(2);
  });

  it('a second round that finds no room is refused after the first round', async () => {
    // A fresh deployment's limiter, so the window is empty: one request's room is used by a plain answer first.
    const fresh = await startHostedToolsDeployment('roundsfresh');
    try {
      const client = openAIClient(fresh.gateway, fresh.limitedKey);
      fresh.model.script(
        { content: 'plain', usage: USAGE },
        { toolCalls: [toolCall('call_2', 'tools__echo', { text: 'ran once' })], finishReason: 'tool_calls', usage: USAGE },
        { content: 'never sent', usage: USAGE },
      );
      await client.responses.create({ model: 'assistant', input: 'q' });
      const looping = client.responses.create({ model: 'assistant', input: 'q', tools: [MCP_TOOL] });
      await expect(looping).rejects.toMatchObject({ status: 429 });
      await expect(looping).rejects.toThrow('every model round of the hosted tool loop counts as one; round 2 was refused');
      expect(fresh.tools.calls).toEqual([{ name: 'echo', arguments: { text: 'ran once' } }]);
      expect(fresh.model.chatRequests).toHaveLength(2);
    } finally {
      await fresh.stop();
    }
  });
});
