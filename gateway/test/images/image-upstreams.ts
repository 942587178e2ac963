// Backends and files shared by the image tests: one loopback upstream of each image API (the
// images mock for OpenAI, Azure and the Gemini API; the Vertex AI and Bedrock mocks), and a PNG.
import { IMAGES_MOCK_API_KEY, TINY_PNG_BASE64 } from '../mocks/images-mock-server.js';

export const PNG = Buffer.from(TINY_PNG_BASE64, 'base64');

export function isPng(base64: string | undefined): boolean {
  return base64 !== undefined && Buffer.from(base64, 'base64').subarray(0, 8).equals(PNG.subarray(0, 8));
}

export const imagesSecret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'images', namespace: 'default' },
  stringData: { apiKey: IMAGES_MOCK_API_KEY },
};

export function openAIImageBackend(name: string, model: string, mockUrl: string): Record<string, unknown> {
  return { name, provider: 'openai', model, baseURL: `${mockUrl}/v1`, credentials: [{ secretRef: { name: 'images', key: 'apiKey' } }] };
}
