// Where a Vertex AI call goes. Vertex serves several model publishers behind one resource path;
// which one answers, and in which wire format, follows from the model id: Claude models are
// Anthropic's (`:rawPredict`, Anthropic Messages bodies), everything else is Google's
// (`:generateContent`, Gemini bodies; `:predict` for text embeddings).

import type { CompiledBackend } from '@switchyard/compiler';
import { UpstreamFailure } from '../../errors/upstream-failure.js';

export type VertexPublisher = 'google' | 'anthropic';

export type VertexMethod = 'generateContent' | 'streamGenerateContent' | 'rawPredict' | 'streamRawPredict' | 'predict';

const VERTEX_API_VERSION = 'v1';

/** `claude-*` (any case, optionally with a `@version` suffix) is Anthropic on Vertex; the rest is Google. */
export function vertexPublisherForModel(model: string): VertexPublisher {
  return /^claude-/i.test(model) ? 'anthropic' : 'google';
}

/** The chat method for a publisher: Anthropic's raw predict endpoints or Google's generateContent. */
export function vertexChatMethod(publisher: VertexPublisher, stream: boolean): VertexMethod {
  if (publisher === 'anthropic') return stream ? 'streamRawPredict' : 'rawPredict';
  return stream ? 'streamGenerateContent' : 'generateContent';
}

/**
 * `{baseURL}/v1/projects/{project}/locations/{location}/publishers/{publisher}/models/{model}:{method}`,
 * with `?alt=sse` for Google streams (Google's default stream framing is a JSON array).
 * A baseURL that already ends in `/v1` (or `/v1beta1`) keeps that version.
 */
export function vertexModelUrl(
  baseURL: string,
  vertex: { project: string; location: string },
  publisher: VertexPublisher,
  model: string,
  method: VertexMethod,
): string {
  const base = baseURL.replace(/\/+$/, '');
  const versioned = /\/v1(?:beta1)?$/.test(base) ? base : `${base}/${VERTEX_API_VERSION}`;
  const path = `projects/${pathSegment(vertex.project)}/locations/${pathSegment(vertex.location)}/publishers/${publisher}/models/${pathSegment(model)}`;
  const query = method === 'streamGenerateContent' ? '?alt=sse' : '';
  return `${versioned}/${path}:${method}${query}`;
}

/** The URL of a backend's chat call, or of its embeddings call (`:predict`, Google models only). */
export function vertexBackendUrl(backend: CompiledBackend, method: VertexMethod): string {
  const vertex = backend.vertex;
  // The CRD requires the block; a hand-built table without it fails this backend only.
  if (vertex === undefined)
    throw new UpstreamFailure('Other', 0, `backend ${backend.name}: provider vertex-ai needs vertex: {project, location}`);
  return vertexModelUrl(backend.baseURL, vertex, vertexPublisherForModel(backend.model), backend.model, method);
}

/** Versioned ids (`claude-sonnet-4-5@20250929`) keep their `@`, as Google's documented URLs do. */
function pathSegment(value: string): string {
  return encodeURIComponent(value).replace(/%40/g, '@');
}
