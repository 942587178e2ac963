// The tool label of the MCP metrics is bounded per server: names beyond the first 500 are
// counted as `other`, so a caller inventing tool names cannot grow /metrics without limit.
import { describe, expect, it } from '@jest/globals';
import { GatewayMetrics } from '../../src/observe/metrics.js';

describe('MCP tool call metrics', () => {
  it('keep at most 500 tool names per server and count the rest as other', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    for (let index = 0; index < 510; index++) metrics.mcpToolCall('default/s', `s__t${index}`, 'tool_error', 0.01);
    metrics.mcpToolCall('default/s', 's__t0', 'ok', 0.01);
    metrics.mcpToolCall('default/other', 'o__t0', 'ok', 0.01);
    const text = await metrics.registry.metrics();
    const series = text.split('\n').filter((line) => line.startsWith('switchyard_mcp_tool_calls_total{server="default/s"'));
    expect(series.filter((line) => line.includes('status="tool_error"'))).toHaveLength(501);
    expect(series).toContain('switchyard_mcp_tool_calls_total{server="default/s",tool="other",status="tool_error"} 10');
    expect(series).toContain('switchyard_mcp_tool_calls_total{server="default/s",tool="s__t0",status="ok"} 1');
    expect(text).toContain('switchyard_mcp_tool_calls_total{server="default/other",tool="o__t0",status="ok"} 1');
  });
});
