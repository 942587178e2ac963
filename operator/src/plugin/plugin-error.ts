// The one way a plugin command fails: a message for the user and an exit code (1: the request
// failed; 2: the command line was wrong). API errors are turned into sentences that name the
// verb and resource, so a missing RBAC rule is obvious without reading an HTTP status.
import { KubeApiError } from '../kube/kube-client.js';

export class PluginError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
    /** The API server's HTTP status, when the failure is its answer. */
    readonly apiStatus?: number,
  ) {
    super(message);
    this.name = 'PluginError';
  }
}

const VERBS: Record<string, string> = { GET: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/**
 * A readable sentence for an API failure. `what` names the object or collection ("VirtualKey
 * default/team-a"), `verbOverride` the verb when the method alone does not say it (a GET that lists). 403 keeps the API server's message: it already says which user lacked which
 * verb on which resource.
 */
export function describeApiFailure(error: unknown, what: string, server: string, verbOverride?: string): PluginError {
  if (error instanceof PluginError) return error;
  if (error instanceof KubeApiError) {
    const verb = verbOverride ?? VERBS[error.method] ?? error.method;
    if (error.statusCode === 403) return new PluginError(`forbidden: cannot ${verb} ${what}: ${apiMessage(error)}`, 1, 403);
    if (error.statusCode === 401) return new PluginError(`unauthorized: the API server at ${server} rejected the kubeconfig's credentials`);
    if (error.statusCode === 404) return new PluginError(`${what} not found`);
    if (error.statusCode === 409) return new PluginError(`${what} already exists (or changed meanwhile): ${apiMessage(error)}`);
    if (error.statusCode === 422) return new PluginError(`the API server rejected ${what}: ${apiMessage(error)}`);
    return new PluginError(`${verb} ${what}: ${error.message}`);
  }
  const text = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ECONNRESET')
    return new PluginError(`cannot reach the API server at ${server}: ${text}`);
  return new PluginError(`${what}: ${text}`);
}

function apiMessage(error: KubeApiError): string {
  // KubeApiError's message is "<METHOD> <path>: <code> <reason>: <API message>"; keep the last part.
  const parts = error.message.split(': ');
  return parts.length > 2 ? parts.slice(2).join(': ') : error.message;
}

export function isApiStatus(error: unknown, statusCode: number): boolean {
  return error instanceof KubeApiError && error.statusCode === statusCode;
}
