export { geminiAdapter, geminiMethodUrl, geminiModelResource, GEMINI_API_VERSION } from './gemini-adapter.js';
