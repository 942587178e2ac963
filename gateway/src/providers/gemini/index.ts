export { geminiAdapter, geminiMethodUrl } from './gemini-adapter.js';
