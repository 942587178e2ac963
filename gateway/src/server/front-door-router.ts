// Which front-door endpoint serves a request, from the endpoints the front doors declare: an
// exact-path lookup first (one Map get), then the few parameterized prefixes. A request no
// endpoint takes gets, in the format of the front door whose path it is, a 405 with `Allow` when
// endpoints serve the path with other methods (RFC 9110, section 15.5.6), else a 404. Built once
// at startup.
import { GatewayError } from '../errors/gateway-error.js';
import { reflected } from '../errors/reflected-input.js';
import type { ChatFrontDoor, FrontDoorDeclaration, FrontDoorEndpoint, PathMatch } from '../frontdoors/front-door.js';

interface RoutedRequest {
  readonly endpoint: FrontDoorEndpoint;
  readonly door: FrontDoorDeclaration;
  readonly match: PathMatch | undefined;
}

interface NotFound {
  readonly error: GatewayError;
  readonly encodeError: ChatFrontDoor['encodeError'];
}

export interface FrontDoorRouter {
  /** `path` without the query string; HEAD is served by GET endpoints. Undefined when no endpoint serves the request. */
  find(method: string, path: string): RoutedRequest | undefined;
  /** The answer to a request `find` did not route: a 405 when the path is served with other methods, else a 404. */
  notFound(method: string, path: string): NotFound;
}

interface PrefixedEndpoint {
  readonly prefix: string;
  match(rest: string): PathMatch | undefined;
  readonly endpoint: FrontDoorEndpoint;
  readonly door: FrontDoorDeclaration;
}

/** The first declaration without a root (else the first) answers paths no front door claims: the OpenAI door's shape. */
export function createFrontDoorRouter(doors: readonly FrontDoorDeclaration[]): FrontDoorRouter {
  const exact = new Map<string, RoutedRequest[]>();
  const prefixed: PrefixedEndpoint[] = [];
  for (const door of doors) {
    for (const endpoint of door.endpoints) {
      const { path } = endpoint;
      if (typeof path === 'string') {
        const served = exact.get(path) ?? [];
        if (served.some((other) => other.endpoint.method === endpoint.method))
          throw new Error(`two front doors claim ${endpoint.method} ${path}`);
        served.push({ endpoint, door, match: undefined });
        exact.set(path, served);
      } else {
        prefixed.push({ prefix: path.prefix, match: path.match, endpoint, door });
      }
    }
  }
  // Longest prefix first, so a more specific door wins.
  prefixed.sort((a, b) => b.prefix.length - a.prefix.length);
  const rooted = doors.filter((door) => door.root !== undefined).sort((a, b) => (b.root ?? '').length - (a.root ?? '').length);
  const fallback = doors.find((door) => door.root === undefined) ?? doors[0];
  if (fallback === undefined) throw new Error('a router needs at least one front door');

  /** The endpoints serving `path` whatever their method, in declaration order. */
  const anyMethod = (path: string): FrontDoorEndpoint[] => {
    const served = (exact.get(path) ?? []).map((routed) => routed.endpoint);
    for (const entry of prefixed) {
      if (path.startsWith(entry.prefix) && entry.match(path.slice(entry.prefix.length)) !== undefined) served.push(entry.endpoint);
    }
    return served;
  };

  return {
    find(method, path) {
      const verb = method === 'HEAD' ? 'GET' : method;
      const served = exact.get(path);
      if (served !== undefined) {
        for (const routed of served) if (routed.endpoint.method === verb) return routed;
      }
      for (const entry of prefixed) {
        if (entry.endpoint.method !== verb || !path.startsWith(entry.prefix)) continue;
        const match = entry.match(path.slice(entry.prefix.length));
        if (match !== undefined) return { endpoint: entry.endpoint, door: entry.door, match };
      }
      return undefined;
    },

    notFound(method, path) {
      const others = anyMethod(path);
      // The method and path are the caller's: the answer repeats a bounded prefix of each.
      const shownMethod = reflected(method);
      const shownPath = reflected(path);
      const first = others[0];
      if (first !== undefined) {
        const allowed = allowedMethods(others);
        return {
          error: new GatewayError('method_not_allowed', `method not allowed: ${shownMethod} ${shownPath} (allowed: ${allowed})`, {
            code: 'method_not_allowed',
            headers: { allow: allowed },
          }),
          encodeError: first.frontDoor.encodeError.bind(first.frontDoor),
        };
      }
      const door = rooted.find((candidate) => path.startsWith(candidate.root ?? '')) ?? fallback;
      const message = door.unknownPathMessage?.(shownMethod, shownPath) ?? `unknown path: ${shownMethod} ${shownPath}`;
      return { error: new GatewayError('not_found', message, { code: 'unknown_url' }), encodeError: door.encodeError };
    },
  };
}

/** The `Allow` value for a path: the methods its endpoints declare, with HEAD wherever GET is served (`find` runs GET endpoints for HEAD). */
function allowedMethods(endpoints: readonly FrontDoorEndpoint[]): string {
  const methods = new Set<string>();
  for (const endpoint of endpoints) {
    methods.add(endpoint.method);
    if (endpoint.method === 'GET') methods.add('HEAD');
  }
  return [...methods].join(', ');
}
