// The Gemini front door: Google's Generative Language API (v1beta) under `/genai`, so the official
// SDKs work with `httpOptions.baseUrl` set to `<gateway>/genai`.
//
//   POST /genai/v1beta/models/{model}:generateContent          chat
//   POST /genai/v1beta/models/{model}:streamGenerateContent    chat, streamed (alt=sse, or a JSON array)
//   POST /genai/v1beta/models/{model}:embedContent             embeddings, one input
//   POST /genai/v1beta/models/{model}:batchEmbedContents       embeddings, several
//   POST /genai/v1beta/models/{model}:countTokens              wire/gemini/gemini-count-tokens.ts
//   GET  /genai/v1beta/models[/{model}]                        wire/gemini/gemini-models-list.ts

export { geminiFrontDoorDeclaration } from './gemini-front-door-routes.js';
