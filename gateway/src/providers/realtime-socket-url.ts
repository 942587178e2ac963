// What the realtime adapters of the OpenAI family share: a backend's HTTP base URL as the base
// of its WebSocket URLs.
import { trimSlash } from './openai-family-adapter.js';

/** https://host/v1 -> wss://host/v1 (http -> ws for a plain-HTTP base URL, as local servers use). */
export function webSocketBase(baseURL: string): string {
  return trimSlash(baseURL).replace(/^http(s?):\/\//i, (_match, secure: string) => `ws${secure}://`);
}
