// Why an upstream MCP server could not answer; the tool error callers see names it.

export class McpUpstreamError extends Error {
  constructor(
    message: string,
    readonly reason: 'unreachable' | 'timeout' | 'too_large' | 'protocol' | 'auth',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'McpUpstreamError';
  }
}
