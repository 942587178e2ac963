// A memory cgroup with a limit, for running a process under the memory a pod's limit gives it:
// the kernel's OOM killer fires at the limit, and Node sizes its heap from it at start-up
// (process.constrainedMemory()), as it does in a container. cgroup v2 (memory.max) or v1
// (memory.limit_in_bytes), whichever the host mounts; undefined when neither is writable.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface MemoryCgroupStats {
  /** The kernel's OOM kills in this cgroup so far. */
  oomKills: number;
  /** Times usage hit the limit (v1 failcnt, v2 memory.events max). */
  limitHits: number;
  usageMb: number;
  /** Peak usage since creation or the last resetPeak (undefined where the kernel keeps none). */
  peakMb: number | undefined;
}

export interface MemoryCgroup {
  readonly path: string;
  readonly version: 1 | 2;
  readonly limitBytes: number;
  /** Changes the limit (between runs of the process in it). */
  setLimit(bytes: number): void;
  /** Prefix for a command line: enters the cgroup, then execs the command (so Node starts inside it). */
  launcher(): string[];
  stats(): MemoryCgroupStats;
  resetPeak(): void;
  /** The V8 heap limit (MB) of `node <nodeOptions>` started inside the cgroup: what the process there gets. */
  nodeHeapLimitMb(nodeOptions: string): number;
  /** Removes the cgroup (every process in it must have exited). */
  remove(): void;
}

const V2_ROOT = '/sys/fs/cgroup';
const V1_ROOT = '/sys/fs/cgroup/memory';

export function parseMemorySize(text: string): number {
  const match = /^(\d+)\s*([KMG]i?)?$/i.exec(text.trim());
  if (!match) throw new Error(`not a memory size: ${text} (e.g. 512M, 512Mi, 1G)`);
  const unit = (match[2] ?? '').toUpperCase().replace('I', '');
  const factor = unit === 'K' ? 1024 : unit === 'M' ? 1024 ** 2 : unit === 'G' ? 1024 ** 3 : 1;
  return Number(match[1]) * factor;
}

export function createMemoryCgroup(name: string, limitBytes: number): MemoryCgroup | undefined {
  const v2 = existsSync(join(V2_ROOT, 'cgroup.controllers'));
  const path = v2 ? join(V2_ROOT, name) : join(V1_ROOT, name);
  try {
    mkdirSync(path, { recursive: true });
    if (v2) writeFileSync(join(path, 'memory.max'), String(limitBytes));
    else writeFileSync(join(path, 'memory.limit_in_bytes'), String(limitBytes));
  } catch {
    return undefined;
  }
  const read = (file: string): string => readFileSync(join(path, file), 'utf8');
  const field = (text: string, key: string): number => Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);
  const launcher = (): string[] => ['/bin/sh', '-c', 'echo $$ > "$0" && exec "$@"', join(path, 'cgroup.procs')];
  let limit = limitBytes;
  return {
    path,
    version: v2 ? 2 : 1,
    get limitBytes() {
      return limit;
    },
    setLimit(bytes) {
      writeFileSync(join(path, v2 ? 'memory.max' : 'memory.limit_in_bytes'), String(bytes));
      limit = bytes;
    },
    launcher,
    stats() {
      if (v2) {
        const events = read('memory.events');
        const peak = existsSync(join(path, 'memory.peak')) ? mb(Number(read('memory.peak'))) : undefined;
        return {
          oomKills: field(events, 'oom_kill'),
          limitHits: field(events, 'max'),
          usageMb: mb(Number(read('memory.current'))),
          peakMb: peak,
        };
      }
      return {
        oomKills: field(read('memory.oom_control'), 'oom_kill'),
        limitHits: Number(read('memory.failcnt')),
        usageMb: mb(Number(read('memory.usage_in_bytes'))),
        peakMb: mb(Number(read('memory.max_usage_in_bytes'))),
      };
    },
    resetPeak() {
      try {
        if (v2) writeFileSync(join(path, 'memory.peak'), 'reset');
        else writeFileSync(join(path, 'memory.max_usage_in_bytes'), '0');
      } catch {
        // Kernels before 6.12 cannot reset memory.peak: the peak is then since creation.
      }
    },
    nodeHeapLimitMb(nodeOptions) {
      const out = execFileSync(
        launcher()[0] as string,
        [...launcher().slice(1), process.execPath, '-p', 'require("node:v8").getHeapStatistics().heap_size_limit'],
        { env: { ...process.env, NODE_OPTIONS: nodeOptions }, encoding: 'utf8' },
      );
      return mb(Number(out.trim()));
    },
    remove() {
      rmdirSync(path);
    },
  };
}
