export { vertexAIAdapter } from './vertex-ai-adapter.js';
