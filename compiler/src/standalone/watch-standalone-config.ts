// Standalone reload: watch the configuration, and when its content really changed, compile it
// again. A good compile that changes the table becomes the next table version; one that compiles
// to the table already served (a comment edited, a rejected change undone) keeps the version, so
// versions count the tables actually served; a bad one is reported and the caller keeps serving
// the last good table.

import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { ConfigError } from '../config-error.js';
import { compileStandaloneFiles, type StandaloneOptions, type StandaloneResult } from './compile-standalone-config.js';
import type { ManifestFile } from '../manifests/parse-manifest-files.js';
import { contentHashOf, readConfigFiles } from './read-config-files.js';
import { ManifestParseCache } from '../manifests/parse-manifest-files.js';

export interface StandaloneWatchOptions extends StandaloneOptions {
  /** Quiet time after the last change before recompiling; 150 ms by default. */
  debounceMs?: number;
  /** Poll interval when file-system events are unavailable (or usePolling); 1000 ms by default. */
  pollIntervalMs?: number;
  /** Poll instead of using fs.watch. */
  usePolling?: boolean;
  /** contentHash of the configuration already being served, so no change slips in between. */
  baselineContentHash?: string;
  /** Hash of the routing table already being served: a recompile to the same table is not a new version. */
  baselineTableHash?: string;
}

interface StandaloneWatchHandlers {
  /** A new table (the next version). Throwing refuses it: onError is called and the version stays. */
  onTable(result: StandaloneResult): void;
  onError(error: ConfigError): void;
  /**
   * The files changed and compile, but to the table already served (its version, unchanged, is
   * in result.table): nothing to swap, though notes, warnings and diagnostics may be news.
   */
  onUnchanged?(result: StandaloneResult): void;
}

interface StandaloneWatcher {
  close(): void;
}

function asConfigError(error: unknown, path: string): ConfigError {
  return error instanceof ConfigError ? error : new ConfigError({ file: path, reason: (error as Error)?.message ?? String(error) });
}

/**
 * Watches `path` (file or directory). `options.version` is the version of the table already
 * served (default 1); each successful recompile gets the next one.
 */
export function watchStandaloneConfig(path: string, options: StandaloneWatchOptions, handlers: StandaloneWatchHandlers): StandaloneWatcher {
  const debounceMs = options.debounceMs ?? 150;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  let version = options.version ?? 1;
  // Unchanged files are not parsed again: at 20,000 keys YAML parsing is most of a reload.
  const cache = options.cache ?? new ManifestParseCache();
  let servedTableHash = options.baselineTableHash;
  let lastHash: string | undefined = options.baselineContentHash;
  let closed = false;
  let running = false;
  let rerun = false;
  let debounceTimer: NodeJS.Timeout | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let safetyPollTimer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;

  const report = (deliver: () => void): void => {
    if (closed) return;
    try {
      deliver();
    } catch (error) {
      if (!closed) handlers.onError(new ConfigError({ file: path, reason: `reload handler failed: ${(error as Error).message}` }));
    }
  };

  const deliver = (result: StandaloneResult): void => {
    if (closed) return;
    if (result.table.hash === servedTableHash) {
      const unchanged = { ...result, table: { ...result.table, version } };
      report(() => handlers.onUnchanged?.(unchanged));
      return;
    }
    try {
      handlers.onTable(result);
    } catch (error) {
      if (!closed)
        handlers.onError(new ConfigError({ file: path, reason: `the new routing table could not be loaded: ${(error as Error).message}` }));
      return;
    }
    version = result.table.version;
    servedTableHash = result.table.hash;
  };

  const recheck = async (): Promise<void> => {
    if (running) {
      rerun = true;
      return;
    }
    running = true;
    try {
      do {
        rerun = false;
        let files: ManifestFile[];
        try {
          files = await readConfigFiles(path, cache);
        } catch (error) {
          const failure = asConfigError(error, path);
          const hash = `unreadable:${failure.message}`;
          if (hash !== lastHash) {
            lastHash = hash;
            report(() => handlers.onError(failure));
          }
          continue;
        }
        const hash = contentHashOf(files);
        if (hash === lastHash) continue;
        lastHash = hash;
        let result: StandaloneResult;
        try {
          result = compileStandaloneFiles(files, { ...options, cache, version: version + 1 });
        } catch (error) {
          report(() => handlers.onError(asConfigError(error, path)));
          continue;
        }
        deliver(result);
      } while (rerun && !closed);
    } finally {
      running = false;
    }
  };

  const schedule = (): void => {
    if (closed) return;
    if (debounceTimer) clearTimeout(debounceTimer);
    debounceTimer = setTimeout(() => {
      debounceTimer = undefined;
      void recheck();
    }, debounceMs);
  };

  // A poll that sees new content only schedules a recheck, so a file caught half-written is
  // compiled once it has been quiet for debounceMs, as with file-system events.
  let lastPolledHash: string | undefined;
  const poll = async (): Promise<void> => {
    let hash: string;
    try {
      hash = contentHashOf(await readConfigFiles(path, cache));
    } catch (error) {
      hash = `unreadable:${asConfigError(error, path).message}`;
    }
    if (hash !== lastHash && hash !== lastPolledHash) {
      lastPolledHash = hash;
      schedule();
    }
  };

  const startPolling = (): void => {
    if (closed || pollTimer) return;
    if (safetyPollTimer) clearInterval(safetyPollTimer);
    watcher?.close();
    watcher = undefined;
    pollTimer = setInterval(() => void poll(), pollIntervalMs);
    pollTimer.unref?.();
  };

  const startWatching = async (): Promise<void> => {
    if (lastHash === undefined) {
      try {
        lastHash = contentHashOf(await readConfigFiles(path, cache));
      } catch {
        lastHash = undefined;
      }
    }
    if (closed) return;
    if (options.usePolling) {
      startPolling();
      return;
    }
    try {
      const isDirectory = (await stat(path)).isDirectory();
      if (closed) return;
      // A file is watched through its directory: editors and ConfigMaps replace files by rename.
      const target = isDirectory ? path : dirname(path);
      const name = basename(path);
      watcher = watch(target, { recursive: isDirectory, persistent: false }, (_event, changed) => {
        if (isDirectory || !changed || changed.toString() === name) schedule();
      });
      watcher.on('error', startPolling);
      // File-system events can be lost (network mounts, ConfigMap symlink swaps, coalesced
      // events under load), so a slow content poll backs them up; it only schedules a recheck
      // when the content hash differs from what was last compiled.
      safetyPollTimer = setInterval(() => void poll(), Math.max(pollIntervalMs, 2000));
      safetyPollTimer.unref?.();
    } catch {
      startPolling();
    }
  };

  void startWatching();
  return {
    close() {
      closed = true;
      if (debounceTimer) clearTimeout(debounceTimer);
      if (pollTimer) clearInterval(pollTimer);
      if (safetyPollTimer) clearInterval(safetyPollTimer);
      watcher?.close();
    },
  };
}
