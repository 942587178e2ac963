// Assembles a function call's arguments from Gemini's streamed `partialArgs` pieces
// (`{jsonPath: "$.location", stringValue: "Bos", willContinue: true}`, then "ton", ...).
// Pieces are collected per call and the finished object is emitted as one arguments delta
// when the call completes: paths need not arrive in document order, so appending JSON text
// piece by piece could produce invalid JSON.

import type { GeminiPartialArg } from './gemini-wire-types.js';

type PathSegment = string | number;

export class PartialFunctionArgs {
  // Null-prototype containers: a streamed path such as `$.__proto__.x` is data, never a prototype write.
  private readonly root: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  /** Paths whose last string piece said more follows. */
  private readonly continuing = new Set<string>();

  /** Throws an Error naming the bad path when a piece cannot be placed. */
  apply(piece: GeminiPartialArg): void {
    const path = piece.jsonPath ?? '$';
    const segments = parseJsonPath(path);
    if (segments.length === 0) throw new Error(`partial argument path ${JSON.stringify(path)} names the whole arguments object`);
    const value = pieceValue(piece);
    if (typeof value === 'string' && this.continuing.has(path)) {
      const previous = getAt(this.root, segments);
      setAt(this.root, segments, (typeof previous === 'string' ? previous : '') + value);
    } else if (value !== undefined) {
      setAt(this.root, segments, value);
    }
    if (piece.willContinue === true) this.continuing.add(path);
    else this.continuing.delete(path);
  }

  /** Merges a whole `args` object sent alongside the pieces. */
  merge(args: Record<string, unknown>): void {
    Object.assign(this.root, args);
  }

  toJson(): string {
    return JSON.stringify(this.root);
  }
}

function pieceValue(piece: GeminiPartialArg): unknown {
  if (piece.stringValue !== undefined) return piece.stringValue;
  if (piece.numberValue !== undefined) return piece.numberValue;
  if (piece.boolValue !== undefined) return piece.boolValue;
  if (piece.nullValue !== undefined) return null;
  return undefined;
}

/** Parses the RFC 9535 subset Gemini uses: `$`, `.name`, `['name']`, `["name"]`, `[0]`. */
function parseJsonPath(path: string): PathSegment[] {
  if (!path.startsWith('$')) throw new Error(`partial argument path ${JSON.stringify(path)} does not start with $`);
  const segments: PathSegment[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      const match = /^[^.[\]]+/.exec(path.slice(i + 1));
      if (match === null) throw new Error(`partial argument path ${JSON.stringify(path)} has an empty name at ${i}`);
      segments.push(match[0]);
      i += 1 + match[0].length;
    } else if (path[i] === '[') {
      const rest = path.slice(i);
      const index = /^\[(\d+)\]/.exec(rest);
      const quoted = /^\[(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]/.exec(rest);
      if (index?.[1] !== undefined) {
        segments.push(Number(index[1]));
        i += index[0].length;
      } else if (quoted !== null) {
        segments.push((quoted[1] ?? quoted[2] ?? '').replace(/\\(.)/g, '$1'));
        i += quoted[0].length;
      } else {
        throw new Error(`partial argument path ${JSON.stringify(path)} has an unreadable selector at ${i}`);
      }
    } else {
      throw new Error(`partial argument path ${JSON.stringify(path)} has an unexpected character at ${i}`);
    }
  }
  return segments;
}

function getAt(root: unknown, segments: PathSegment[]): unknown {
  let current = root;
  for (const segment of segments) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

function setAt(root: Record<string, unknown>, segments: PathSegment[], value: unknown): void {
  let container: Record<string | number, unknown> = root;
  segments.forEach((segment, i) => {
    if (i === segments.length - 1) {
      container[segment] = value;
      return;
    }
    const wantsArray = typeof segments[i + 1] === 'number';
    let child = Object.hasOwn(container, segment) ? container[segment] : undefined;
    const fits = wantsArray ? Array.isArray(child) : typeof child === 'object' && child !== null && !Array.isArray(child);
    if (!fits) {
      child = wantsArray ? [] : Object.create(null);
      container[segment] = child;
    }
    container = child as Record<string | number, unknown>;
  });
}
