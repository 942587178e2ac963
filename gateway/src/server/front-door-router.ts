// Which front-door endpoint serves a request, from the endpoints the front doors declare: an
// exact-path lookup first (one Map get), then the few parameterized prefixes. A request no
// endpoint takes gets a 404 in the format of the front door whose path it is: "use POST" (or
// GET) when an endpoint serves the path with another method. Built once at startup.
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
  /** The answer to a request `find` did not route. */
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

  /** The first endpoint serving `path` whatever its method, for the "use POST" hint. */
  const anyMethod = (path: string): FrontDoorEndpoint | undefined => {
    const served = exact.get(path);
    if (served !== undefined) return served[0]?.endpoint;
    for (const entry of prefixed) {
      if (path.startsWith(entry.prefix) && entry.match(path.slice(entry.prefix.length)) !== undefined) return entry.endpoint;
    }
    return undefined;
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
      const other = anyMethod(path);
      // The method and path are the caller's: the answer repeats a bounded prefix of each.
      const shownMethod = reflected(method);
      const shownPath = reflected(path);
      if (other !== undefined) {
        return {
          error: new GatewayError('not_found', `unknown path: ${shownMethod} ${shownPath} (use ${other.method})`, { code: 'unknown_url' }),
          encodeError: other.frontDoor.encodeError.bind(other.frontDoor),
        };
      }
      const door = rooted.find((candidate) => path.startsWith(candidate.root ?? '')) ?? fallback;
      const message = door.unknownPathMessage?.(shownMethod, shownPath) ?? `unknown path: ${shownMethod} ${shownPath}`;
      return { error: new GatewayError('not_found', message, { code: 'unknown_url' }), encodeError: door.encodeError };
    },
  };
}
