// The OpenAI Realtime wire format (GET /v1/realtime over WebSocket), as far as the gateway reads
// it: it relays events unchanged both ways, reading only event types, `response.done` usage and
// writing its own `error` events. Azure OpenAI speaks the same events.
export { encodeRealtimeError, realtimeEventType, responseDoneUsage } from './realtime-server-events.js';
