// The realtime endpoint's contracts (GET /v1/realtime, a WebSocket proxy): where a provider's
// realtime socket is and how it is authenticated, and the usage a response reports per modality.

/** An upstream realtime WebSocket: its ws:// or wss:// URL and the handshake's headers (the credential among them). */
export interface RealtimeUpstreamRequest {
  url: string;
  headers: Record<string, string>;
}

/** Tokens of one realtime response by modality; cached counts are part of the input counts. */
export interface RealtimeUsage {
  inputTokens: number;
  outputTokens: number;
  inputTextTokens: number;
  inputAudioTokens: number;
  inputImageTokens: number;
  cachedTextTokens: number;
  cachedAudioTokens: number;
  cachedImageTokens: number;
  outputTextTokens: number;
  outputAudioTokens: number;
}
