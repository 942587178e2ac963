// The `files` and `batches` operations: OpenAI's /v1/files and /v1/batches through the
// pipeline's stages (docs/architecture.md, "The request pipeline"). Authenticate and the key
// checks run first; an upload reads its multipart body (bounded by the upload limit), decodes the
// JSONL input file (bounded lines, one model) and authorizes and routes by that model, so the
// file lands on a backend with a batch API (OpenAI, Azure OpenAI, Anthropic) and credential that
// every later call about it, and about batches made from it, goes back to (sticky routing:
// batch-store.ts). A batch submission is admitted like a request (rate limits) and reserves its
// estimate in the key's budgets until its results are fetched; fetching them charges their
// usage at the provider's batch price, once per batch across replicas. Every call ends with the
// pipeline's respondError, settle and observe (metrics, the log line, the trace span).
import { createHash } from 'node:crypto';
import type { CompiledCredential } from '@switchyard/compiler';
import { isRecord } from '@switchyard/compiler';
import { GatewayError, invalidRequest } from '../../errors/gateway-error.js';
import { reflected } from '../../errors/reflected-input.js';
import { UpstreamFailure } from '../../errors/upstream-failure.js';
import type { FrontDoorEndpoint } from '../../frontdoors/front-door.js';
import { batchCostNanos } from '../../governance/cost/batch-cost.js';
import { estimateChatPromptTokens } from '../../governance/cost/estimate-prompt-tokens.js';
import { batchApiFamily, encodeBatchApiCall, type BatchApiCall } from '../../providers/batch-endpoints.js';
import type { RuntimeBackend, RuntimeKey, RuntimeRoute, RuntimeTable } from '../../table/runtime-table.js';
import type { BatchResults } from '../../unified/batch.js';
import type { FrontDoorContext } from '../../unified/front-door-codec.js';
import type { BackendTarget } from '../../unified/provider-codec.js';
import {
  BATCH_COMPLETION_WINDOW,
  convertToAnthropicBatchRequest,
  decodeBatchCreateRequest,
  decodeAnthropicBatch,
  decodeBatchInputFile,
  encodeUpstreamBatchInputFile,
  parseMultipartForm,
  translateAnthropicBatchResults,
  translateOpenAIBatchOutput,
} from '../../wire/openai-batch/index.js';
import { authorize } from '../authorize.js';
import { checkKeyActive, identifyKey } from '../authenticate.js';
import { callStoredObjectApi } from '../call-upstream.js';
import type { Exchange } from '../exchange.js';
import { checkDeclaredLength, readJsonObjectBody, readRequestBody } from '../ingress.js';
import { observe } from '../observe.js';
import type { PipelineDeps } from '../pipeline-deps.js';
import { respondBody, respondError, respondJson } from '../respond.js';
import { settle } from '../settle.js';
import {
  BATCH_RECORD_TTL_MS,
  DEFAULT_MAX_BATCH_LINES,
  DEFAULT_MAX_FILE_BYTES,
  InMemoryBatchStore,
  newPublicId,
  type BatchServices,
  type StickyTarget,
  type StoredBatch,
  type StoredFile,
} from './batch-store.js';
import { batchFromAnthropic, batchFromOpenAI, fileObject, listObject } from './batch-objects.js';

const DEFAULT_LIST_LIMIT = 20;
const MAX_LIST_LIMIT = 100;

type BatchEndpoint = Extract<FrontDoorEndpoint, { operation: 'files' | 'batches' }>;

export type BatchOperation = (endpoint: BatchEndpoint, exchange: Exchange, context: FrontDoorContext) => Promise<void>;

export function createBatchOperation(deps: PipelineDeps, services: BatchServices): BatchOperation {
  return (endpoint, exchange, context) => runBatchOperation(deps, services, endpoint, exchange, context);
}

/** The parts of a files or batches path: `/v1/files/{id}/content` -> files, id, content. */
function pathParts(exchange: Exchange): { id: string | undefined; action: string | undefined; query: URLSearchParams } {
  const url = new URL(exchange.req.url ?? '/', 'http://gateway');
  const segments = url.pathname.split('/').slice(3);
  const id = segments[0] === undefined || segments[0] === '' ? undefined : decodeSegment(segments[0]);
  return { id, action: segments[1], query: url.searchParams };
}

/** A percent-decoded path segment; a malformed escape keeps the raw text (no such id, a 404). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** What one call needs: the dependencies, the caller's key and table, and the exchange it answers. */
interface Call {
  deps: PipelineDeps;
  services: BatchServices;
  exchange: Exchange;
  key: RuntimeKey;
  table: RuntimeTable;
}

async function runBatchOperation(
  deps: PipelineDeps,
  services: BatchServices,
  endpoint: BatchEndpoint,
  exchange: Exchange,
  _context: FrontDoorContext,
): Promise<void> {
  deps.metrics.requestStarted();
  if (deps.tracer !== undefined) exchange.span = deps.tracer.startRequest(exchange, 'batch');
  /** Set when this call charges a batch's results: settle hands the cost to the batch's hold. */
  let charge: { key: RuntimeKey; hold: string | undefined } | undefined;
  try {
    const table = deps.tables.current;
    if (table === undefined) throw new GatewayError('no_backend', 'the gateway has not loaded a routing table yet', { code: 'not_ready' });
    exchange.table = table;
    const upload = endpoint.operation === 'files' && endpoint.method === 'POST';
    // 1. ingress, size check only
    if (upload) uploadBounded(() => checkDeclaredLength(exchange.req, services.maxFileBytes), services.maxFileBytes);
    else checkDeclaredLength(exchange.req, deps.maxBodyBytes);
    // 2. authenticate
    const identified = identifyKey(table, exchange, deps.tokens, (kind, result) => deps.metrics.tokenAuthentication(kind, result));
    const key = (exchange.key = identified instanceof Promise ? await identified : identified);
    checkKeyActive(key, Date.now());
    const call: Call = { deps, services, exchange, key, table };
    const { id, action, query } = pathParts(exchange);
    if (endpoint.operation === 'files') {
      if (endpoint.method === 'POST') return await uploadFile(call);
      if (id === undefined) return await listFiles(call, query);
      const file = await ownedFile(call, id);
      if (endpoint.method === 'DELETE') return await deleteFile(call, file);
      if (action === 'content') {
        charge = await fileContent(call, file);
        return;
      }
      return respondJson(exchange, JSON.stringify(fileObject(file)));
    }
    if (endpoint.method === 'POST' && id === undefined) return await createBatch(call);
    if (id === undefined) return await listBatches(call, query);
    const batch = await ownedBatch(call, id);
    if (action === 'cancel') return await cancelBatch(call, batch);
    return respondJson(exchange, JSON.stringify(await batchView(call, batch)));
  } catch (error) {
    respondError(exchange, (gatewayError) => endpoint.frontDoor.encodeError(gatewayError), error);
  } finally {
    // 9. settle: a fetched batch's charge goes to its hold; every other call settles nothing
    settle(deps, exchange, charge === undefined ? undefined : batchSettlement(deps, charge.key, charge.hold));
    observe(deps, exchange, endpoint.operation);
  }
}

function batchSettlement(deps: PipelineDeps, key: RuntimeKey, hold: string | undefined): Parameters<typeof settle>[2] {
  return {
    settle: (_usage, details) => deps.admission.batches?.settleBatch(key, hold, details?.costNanos ?? 0n),
  };
}

// ---- sticky targets -------------------------------------------------------------------------

/** The route, backend and credential a record names, in the current table; gone: the object cannot be reached. */
function stickyTarget(call: Call, sticky: StickyTarget): { route: RuntimeRoute; backend: RuntimeBackend; target: BackendTarget } {
  const route = call.table.routes.get(sticky.routeId);
  const backend = route?.backendsByName.get(sticky.backend);
  if (route === undefined || backend === undefined)
    throw new GatewayError('not_found', `the backend that holds this object is no longer in model \`${sticky.model}\``, {
      code: 'not_found',
    });
  let credential: CompiledCredential | undefined;
  if (sticky.credentialRef !== undefined) {
    const found = backend.compiled.credentials.find((candidate) => candidate.ref === sticky.credentialRef);
    if (found === undefined)
      throw new GatewayError('not_found', `the credential that holds this object is no longer on its backend`, { code: 'not_found' });
    credential = backend.resolveCredential(found);
  }
  // The log line, metrics and span name the object's route, backend and model.
  call.exchange.route = route;
  call.exchange.backend = backend.name;
  call.exchange.model = sticky.model;
  return { route, backend, target: { backend: backend.compiled, credential, defaultMaxTokens: route.compiled.defaultMaxTokens } };
}

/** A route's backend that has a batch API, by its tiers and weights, with the credential it will keep. */
function pickBatchBackend(call: Call, route: RuntimeRoute): { backend: RuntimeBackend; credential: CompiledCredential | undefined } {
  for (const tier of route.tiers) {
    const backend = tier.backends.pickExcluding((candidate) => batchApiFamily(candidate.compiled.provider) === undefined, call.deps.random);
    if (backend !== undefined) return { backend, credential: backend.credentials?.pick(call.deps.random) };
  }
  throw new GatewayError(
    'invalid_request',
    `model \`${route.model}\` has no backend with a batch API (openai, azure-openai or anthropic): batches cannot run on it`,
    { code: 'batches_not_supported', param: 'file' },
  );
}

/** One upstream call to the object's backend and credential; an upstream 404 is the caller's 404. */
async function upstream(
  call: Call,
  route: RuntimeRoute,
  backend: RuntimeBackend,
  target: BackendTarget,
  api: BatchApiCall,
): Promise<string> {
  const { deps, exchange } = call;
  exchange.attemptCount += 1;
  deps.metrics.upstreamAttempt(route.id, backend.name);
  exchange.span?.attemptStarted(route, backend, target.credential);
  try {
    return await callStoredObjectApi(
      {
        transport: deps.transport,
        adapter: backend.adapter,
        target,
        timeouts: backend.compiled.timeouts ?? route.compiled.timeouts,
        clientSignal: exchange.clientGone.signal,
      },
      encodeBatchApiCall(target, api),
    );
  } catch (error) {
    if (!(error instanceof UpstreamFailure)) throw error;
    deps.metrics.upstreamError(route.id, backend.name, error.kind);
    exchange.span?.attemptFailed(error);
    exchange.attempts.push({
      route: route.id,
      backend: backend.name,
      status: error.status,
      kind: error.kind,
      reason: error.message.slice(0, 512),
    });
    if (error.status === 404) throw new GatewayError('not_found', 'the upstream no longer has this object', { code: 'not_found' });
    if (error.kind === 'BadRequest') throw new GatewayError('upstream_bad_request', error.message, { status: error.status || 400 });
    if (error.kind === 'Timeout')
      throw new GatewayError('upstream_timeout', `upstream timed out: ${error.message}`, { code: 'upstream_timeout' });
    throw new GatewayError('upstream_failed', `upstream failed (backend ${backend.name}): ${error.message}`, { code: 'upstream_failed' });
  }
}

function parseUpstreamJson(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!isRecord(parsed))
    throw new GatewayError('upstream_failed', 'upstream answered with a body that is not a JSON object', { code: 'upstream_failed' });
  return parsed;
}

function upstreamId(body: Record<string, unknown>): string {
  if (typeof body.id !== 'string' || body.id === '')
    throw new GatewayError('upstream_failed', 'upstream answered without an object id', { code: 'upstream_failed' });
  return body.id;
}

// ---- ownership --------------------------------------------------------------------------------

/** Another key's object, a forged id and an expired one all read as "no such object". */
function noSuchObject(kind: 'file' | 'batch', id: string): GatewayError {
  return new GatewayError('not_found', `No such ${kind}: ${reflected(id)}`, { code: 'not_found', param: 'id' });
}

async function ownedFile(call: Call, id: string): Promise<StoredFile> {
  const file = await call.services.store.get('file', id);
  if (file === undefined || file.keyId !== call.key.id) throw noSuchObject('file', id);
  return file;
}

async function ownedBatch(call: Call, id: string): Promise<StoredBatch> {
  const batch = await call.services.store.get('batch', id);
  if (batch === undefined || batch.keyId !== call.key.id) throw noSuchObject('batch', id);
  return batch;
}

// ---- files ------------------------------------------------------------------------------------

/** Runs an ingress step of an upload, its size refusal naming the upload's own limit rather than --max-body-bytes. */
function uploadBounded<T>(step: () => T, maxFileBytes: number): T {
  const refuse = (error: unknown): never => {
    if (error instanceof GatewayError && error.kind === 'payload_too_large')
      throw new GatewayError('payload_too_large', `file upload exceeds the ${maxFileBytes}-byte limit (--max-file-bytes)`, {
        code: 'file_too_large',
      });
    throw error;
  };
  try {
    const result = step();
    return (result instanceof Promise ? result.catch(refuse) : result) as T;
  } catch (error) {
    return refuse(error);
  }
}

async function uploadFile(call: Call): Promise<void> {
  const { exchange, services, key } = call;
  const body = await uploadBounded(() => readRequestBody(exchange.req, services.maxFileBytes), services.maxFileBytes);
  const form = parseMultipartForm(body, exchange.req.headers['content-type']);
  const purpose = form.fields.get('purpose');
  if (purpose === undefined) throw invalidRequest("Missing required parameter: 'purpose'", 'purpose');
  if (purpose !== 'batch')
    throw invalidRequest(
      `purpose \`${reflected(purpose)}\` is not served: the gateway routes files for batches only (purpose "batch")`,
      'purpose',
    );
  const upload = form.files.get('file');
  if (upload === undefined) throw invalidRequest("Missing required parameter: 'file'", 'file');
  const input = decodeBatchInputFile(upload.data.toString('utf8'), services.maxBatchLines);
  // 3. authorize: the model every line names, against the key's allow-list
  exchange.model = reflected(input.model);
  const route = (exchange.route = authorize(key, input.model));
  // 6. route: the backend (and credential) the file, and every batch made from it, stay on
  const { backend, credential } = pickBatchBackend(call, route);
  exchange.backend = backend.name;
  const target: BackendTarget = {
    backend: backend.compiled,
    credential: credential === undefined ? undefined : backend.resolveCredential(credential),
    defaultMaxTokens: route.compiled.defaultMaxTokens,
  };
  let promptTokens = 0;
  let maxOutputTokens = 0;
  for (const line of input.lines) {
    promptTokens += estimateChatPromptTokens(line.request);
    maxOutputTokens += line.request.maxOutputTokens ?? route.compiled.defaultMaxTokens;
  }
  const family = batchApiFamily(backend.compiled.provider);
  let held: string | undefined;
  let content: string | undefined;
  if (family === 'openai') {
    // Azure names the deployment in each line's body; OpenAI the backend's model.
    const upstreamModel =
      backend.compiled.provider === 'azure-openai'
        ? (backend.compiled.azure?.deployment ?? backend.compiled.model)
        : backend.compiled.model;
    const answer = await upstream(call, route, backend, target, {
      op: 'upload-file',
      filename: upload.filename,
      content: encodeUpstreamBatchInputFile(input, upstreamModel),
    });
    held = upstreamId(parseUpstreamJson(answer));
  } else {
    // Message Batches take their requests inline: the gateway keeps the file until a batch is made.
    content = upload.data.toString('utf8');
  }
  const file: StoredFile = {
    id: newPublicId('file'),
    keyId: key.id,
    role: 'input',
    purpose,
    filename: upload.filename,
    bytes: upload.data.length,
    createdAt: Math.floor(Date.now() / 1000),
    upstreamId: held,
    ...(content === undefined ? {} : { content }),
    requests: input.lines.length,
    promptTokens,
    maxOutputTokens,
    ...stickyOf(route, backend, target),
  };
  await call.services.store.put('file', file);
  respondJson(exchange, JSON.stringify(fileObject(file)));
}

function stickyOf(route: RuntimeRoute, backend: RuntimeBackend, target: BackendTarget): StickyTarget {
  return {
    routeId: route.id,
    model: route.model,
    backend: backend.name,
    provider: backend.compiled.provider,
    credentialRef: target.credential?.ref,
  };
}

function listLimit(query: URLSearchParams): number {
  const raw = query.get('limit');
  if (raw === null) return DEFAULT_LIST_LIMIT;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT)
    throw invalidRequest(`limit must be an integer from 1 to ${MAX_LIST_LIMIT}`, 'limit');
  return limit;
}

async function listFiles(call: Call, query: URLSearchParams): Promise<void> {
  const limit = listLimit(query);
  const ids = await call.services.store.list('file', call.key.id, limit + 1, query.get('after') ?? undefined);
  const purpose = query.get('purpose');
  const files: unknown[] = [];
  for (const id of ids.slice(0, limit)) {
    const file = await call.services.store.get('file', id);
    if (file !== undefined && (purpose === null || file.purpose === purpose)) files.push(fileObject(file));
  }
  respondJson(call.exchange, listObject(files, ids.length > limit));
}

async function deleteFile(call: Call, file: StoredFile): Promise<void> {
  if (file.upstreamId !== undefined) {
    const { route, backend, target } = stickyTarget(call, file);
    await upstream(call, route, backend, target, { op: 'delete-file', id: file.upstreamId });
  }
  await call.services.store.remove('file', file.id, file.keyId);
  respondJson(call.exchange, JSON.stringify({ id: file.id, object: 'file', deleted: true }));
}

/**
 * A file's content: an input file as it was uploaded; a batch's output file as OpenAI output
 * lines (translated from Anthropic's results), its usage charged at the batch price the first
 * time any replica serves it; an OpenAI-format batch's error file as it came. Returns the charge
 * for settle when this call made it.
 */
async function fileContent(call: Call, file: StoredFile): Promise<{ key: RuntimeKey; hold: string | undefined } | undefined> {
  const { exchange } = call;
  if (file.role === 'input') {
    if (file.content !== undefined) {
      respondBody(exchange, 'application/jsonl', file.content);
      return undefined;
    }
    const { route, backend, target } = stickyTarget(call, file);
    respondBody(
      exchange,
      'application/jsonl',
      await upstream(call, route, backend, target, { op: 'file-content', id: file.upstreamId ?? '' }),
    );
    return undefined;
  }
  const batch = await ownedBatch(call, file.batchId ?? '');
  const { route, backend, target } = stickyTarget(call, batch);
  if (file.role === 'errors') {
    // Failed lines carry no usage: nothing to charge, only the public model to put back.
    const text = await upstream(call, route, backend, target, { op: 'file-content', id: file.upstreamId ?? '' });
    respondBody(exchange, 'application/jsonl', translateOpenAIBatchOutput(text, batch.model).jsonl);
    return undefined;
  }
  let results: BatchResults;
  if (batchApiFamily(batch.provider) === 'anthropic') {
    const text = await upstream(call, route, backend, target, { op: 'batch-results', id: batch.upstreamId });
    results = translateAnthropicBatchResults(text, batch.model, batch.id, Date.now());
  } else {
    results = translateOpenAIBatchOutput(
      await upstream(call, route, backend, target, { op: 'file-content', id: file.upstreamId ?? '' }),
      batch.model,
    );
  }
  let charged: { key: RuntimeKey; hold: string | undefined } | undefined;
  // Charged once per batch whichever replica serves the results first; later fetches are free,
  // and count no tokens again in the usage metrics.
  if (await call.services.store.claimCharge(batch.id)) {
    charged = { key: call.key, hold: batch.hold };
    exchange.usage = results.usage;
    exchange.pricing = backend.compiled.pricing;
    if (exchange.pricing !== undefined) exchange.costNanos = batchCostNanos(results.usage, exchange.pricing, batch.provider);
  } else {
    exchange.costNanos = 0n;
  }
  respondBody(exchange, 'application/jsonl', results.jsonl);
  return charged;
}

// ---- batches ----------------------------------------------------------------------------------

async function createBatch(call: Call): Promise<void> {
  const { exchange, key, deps } = call;
  const { inputFileId, metadata } = decodeBatchCreateRequest(await readJsonObjectBody(exchange.req, deps.maxBodyBytes));
  const file = await ownedFile(call, inputFileId);
  if (file.role !== 'input') throw invalidRequest("input_file_id names a batch's output or error file, not an input file", 'input_file_id');
  // 3. authorize again: the key's allow-list may have changed since the upload
  exchange.model = file.model;
  const authorized = authorize(key, file.model);
  const { route, backend, target } = stickyTarget(call, file);
  if (authorized.id !== route.id) throw noSuchObject('file', file.id);
  // 4. admit: rate limits count the submission; the estimate is held until the results are fetched
  const hold = await deps.admission.batches?.holdBatch({
    key,
    route,
    promptTokens: file.promptTokens,
    maxOutputTokens: file.maxOutputTokens,
    holdMs: BATCH_RECORD_TTL_MS,
  });
  if (hold?.headers !== undefined) exchange.admissionHeaders = hold.headers;
  try {
    let upstreamBatch: Record<string, unknown>;
    if (batchApiFamily(backend.compiled.provider) === 'anthropic') {
      const input = decodeBatchInputFile(file.content ?? '', call.services.maxBatchLines);
      const request = convertToAnthropicBatchRequest(input, {
        model: backend.compiled.model,
        defaultMaxTokens: route.compiled.defaultMaxTokens,
      });
      upstreamBatch = parseUpstreamJson(await upstream(call, route, backend, target, { op: 'create-batch', body: request }));
    } else {
      const request = JSON.stringify({
        input_file_id: file.upstreamId,
        endpoint: '/v1/chat/completions',
        completion_window: BATCH_COMPLETION_WINDOW,
        ...(metadata === undefined ? {} : { metadata }),
      });
      upstreamBatch = parseUpstreamJson(await upstream(call, route, backend, target, { op: 'create-batch', body: request }));
    }
    const batch: StoredBatch = {
      id: newPublicId('batch'),
      keyId: key.id,
      upstreamId: upstreamId(upstreamBatch),
      inputFileId: file.id,
      completionWindow: BATCH_COMPLETION_WINDOW,
      metadata,
      createdAt: Math.floor(Date.now() / 1000),
      hold: hold?.hold,
      routeId: file.routeId,
      model: file.model,
      backend: file.backend,
      provider: file.provider,
      credentialRef: file.credentialRef,
    };
    await call.services.store.put('batch', batch);
    respondJson(exchange, JSON.stringify(await present(call, batch, upstreamBatch)));
  } catch (error) {
    // Nothing was submitted: the hold goes back.
    if (hold?.hold !== undefined) deps.admission.batches?.settleBatch(key, hold.hold, 0n);
    throw error;
  }
}

/** The output and error files' ids are derived from the batch's, so every replica shows the same ones without coordinating. */
function resultFileId(batch: StoredBatch, role: 'output' | 'errors'): string {
  return `file-sy${createHash('sha256').update(`${batch.id}:${role}`).digest('base64url').slice(0, 32)}`;
}

/** The batch in OpenAI's shape; once results exist, its output file is recorded (owned by the batch's key). */
async function present(call: Call, batch: StoredBatch, upstreamBatch: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (batchApiFamily(batch.provider) === 'anthropic') {
    const state = decodeAnthropicBatch(upstreamBatch);
    // Anthropic's results hold every line, failures included: there is no separate error file.
    const output = state.hasResults ? await recordResultFile(call, batch, undefined, 'output') : null;
    return batchFromAnthropic(batch, state, output);
  }
  const upstreamFile = (field: string): string | undefined => {
    const value = upstreamBatch[field];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const upstreamOutput = upstreamFile('output_file_id');
  const upstreamErrors = upstreamFile('error_file_id');
  const output = upstreamOutput === undefined ? null : await recordResultFile(call, batch, upstreamOutput, 'output');
  const errors = upstreamErrors === undefined ? null : await recordResultFile(call, batch, upstreamErrors, 'errors');
  return batchFromOpenAI(batch, upstreamBatch, output, errors);
}

async function recordResultFile(
  call: Call,
  batch: StoredBatch,
  upstreamFileId: string | undefined,
  role: 'output' | 'errors',
): Promise<string> {
  const id = resultFileId(batch, role);
  if ((await call.services.store.get('file', id)) === undefined) {
    await call.services.store.put('file', {
      id,
      keyId: batch.keyId,
      role,
      purpose: 'batch_output',
      filename: `${batch.id}_${role === 'output' ? 'output' : 'error'}.jsonl`,
      bytes: 0,
      createdAt: Math.floor(Date.now() / 1000),
      upstreamId: upstreamFileId,
      batchId: batch.id,
      requests: 0,
      promptTokens: 0,
      maxOutputTokens: 0,
      routeId: batch.routeId,
      model: batch.model,
      backend: batch.backend,
      provider: batch.provider,
      credentialRef: batch.credentialRef,
    });
  }
  return id;
}

async function batchView(call: Call, batch: StoredBatch): Promise<Record<string, unknown>> {
  const { route, backend, target } = stickyTarget(call, batch);
  return present(call, batch, parseUpstreamJson(await upstream(call, route, backend, target, { op: 'get-batch', id: batch.upstreamId })));
}

async function listBatches(call: Call, query: URLSearchParams): Promise<void> {
  const limit = listLimit(query);
  const ids = await call.services.store.list('batch', call.key.id, limit + 1, query.get('after') ?? undefined);
  const batches: unknown[] = [];
  for (const id of ids.slice(0, limit)) {
    const batch = await call.services.store.get('batch', id);
    if (batch !== undefined) batches.push(await batchView(call, batch));
  }
  respondJson(call.exchange, listObject(batches, ids.length > limit));
}

async function cancelBatch(call: Call, batch: StoredBatch): Promise<void> {
  const { route, backend, target } = stickyTarget(call, batch);
  const answer = parseUpstreamJson(await upstream(call, route, backend, target, { op: 'cancel-batch', id: batch.upstreamId }));
  respondJson(call.exchange, JSON.stringify(await present(call, batch, answer)));
}

/** One replica's files and batches (no --redis-url), with the default limits. */
export function defaultBatchServices(): BatchServices {
  return { store: new InMemoryBatchStore(), maxFileBytes: DEFAULT_MAX_FILE_BYTES, maxBatchLines: DEFAULT_MAX_BATCH_LINES };
}
