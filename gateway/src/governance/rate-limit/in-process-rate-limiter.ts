// The single-process rate limiter (standalone mode, or no --redis-url): exact, synchronous and
// allocation-light. The model is described in rate-limiter.ts; the Redis limiter runs the same
// model in Lua so the two behave alike.
import {
  RATE_WINDOW_MS,
  tokenSlotEnd,
  type RateLimitGrant,
  type RateLimitOutcome,
  type RateLimitRequest,
  type RateLimiter,
  type RateLimitState,
} from './rate-limiter.js';

/** Admission times, oldest first, as a growable queue (a head index instead of shift()). */
class TimeQueue {
  private items: number[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  prune(olderThanOrAt: number): void {
    while (this.head < this.items.length && (this.items[this.head] as number) <= olderThanOrAt) this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** The i-th oldest entry. */
  at(index: number): number {
    return this.items[this.head + index] as number;
  }

  newest(): number | undefined {
    return this.size > 0 ? this.items[this.items.length - 1] : undefined;
  }

  push(time: number): void {
    this.items.push(time);
  }

  /** Removes one entry equal to `time`, searching from the newest (cancel follows admission closely). */
  remove(time: number): void {
    for (let i = this.items.length - 1; i >= this.head; i--) {
      if (this.items[i] === time) {
        this.items.splice(i, 1);
        return;
      }
    }
  }
}

interface TokenSlot {
  end: number;
  tokens: number;
}

class KeyWindow {
  readonly requests = new TimeQueue();
  readonly slots: TokenSlot[] = [];
  settledTokens = 0;
  heldTokens = 0;
  inFlight = 0;

  prune(nowMs: number): void {
    const cutoff = nowMs - RATE_WINDOW_MS;
    this.requests.prune(cutoff);
    let expired = 0;
    while (expired < this.slots.length && (this.slots[expired] as TokenSlot).end <= cutoff) {
      this.settledTokens -= (this.slots[expired] as TokenSlot).tokens;
      expired += 1;
    }
    if (expired > 0) this.slots.splice(0, expired);
  }

  addSettled(tokens: number, nowMs: number): void {
    if (tokens <= 0) return;
    const end = tokenSlotEnd(nowMs);
    const last = this.slots[this.slots.length - 1];
    if (last !== undefined && last.end === end) last.tokens += tokens;
    else this.slots.push({ end, tokens });
    this.settledTokens += tokens;
  }

  get idle(): boolean {
    return this.inFlight === 0 && this.heldTokens === 0 && this.requests.size === 0 && this.slots.length === 0;
  }
}

export class InProcessRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, KeyWindow>();

  acquire(request: RateLimitRequest): RateLimitOutcome {
    const { limits, nowMs } = request;
    let window = this.windows.get(request.keyId);
    if (window === undefined) {
      window = new KeyWindow();
      this.windows.set(request.keyId, window);
    }
    window.prune(nowMs);
    const tokens = Math.max(0, Math.ceil(request.tokens));

    const concurrency = limits.concurrentRequests;
    if (concurrency !== undefined && window.inFlight >= concurrency) {
      return { admitted: false, refused: 'concurrency', limit: concurrency, retryAfterMs: 1_000, state: this.state(window, request) };
    }
    const rpm = limits.requestsPerMinute;
    if (rpm !== undefined && window.requests.size >= rpm) {
      // The window frees a slot when the entry that puts it at the limit leaves.
      const freeing = window.requests.at(window.requests.size - rpm);
      return {
        admitted: false,
        refused: 'requests',
        limit: rpm,
        retryAfterMs: freeing + RATE_WINDOW_MS - nowMs,
        state: this.state(window, request),
      };
    }
    const tpm = limits.tokensPerMinute;
    if (tpm !== undefined) {
      if (tokens > tpm) {
        return {
          admitted: false,
          refused: 'tokens_exceed_limit',
          limit: tpm,
          retryAfterMs: RATE_WINDOW_MS,
          state: this.state(window, request),
        };
      }
      const excess = window.settledTokens + window.heldTokens + tokens - tpm;
      if (excess > 0) {
        return {
          admitted: false,
          refused: 'tokens',
          limit: tpm,
          retryAfterMs: this.tokenWaitMs(window, excess, nowMs),
          state: this.state(window, request),
        };
      }
    }

    window.requests.push(nowMs);
    window.heldTokens += tokens;
    window.inFlight += 1;
    const admittedWindow = window;
    let open = true;
    const grant: RateLimitGrant = {
      settle: (actualTokens, settledAtMs) => {
        if (!open) return;
        open = false;
        admittedWindow.heldTokens -= tokens;
        admittedWindow.inFlight -= 1;
        if (actualTokens !== undefined) admittedWindow.addSettled(actualTokens, settledAtMs);
      },
      cancel: () => {
        if (!open) return;
        open = false;
        admittedWindow.heldTokens -= tokens;
        admittedWindow.inFlight -= 1;
        admittedWindow.requests.remove(nowMs);
      },
    };
    return { admitted: true, grant, state: this.state(window, request) };
  }

  /** Drops windows of keys that hold nothing; call now and then so deleted keys do not linger. */
  sweep(nowMs: number): void {
    for (const [keyId, window] of this.windows) {
      window.prune(nowMs);
      if (window.idle) this.windows.delete(keyId);
    }
  }

  get trackedKeys(): number {
    return this.windows.size;
  }

  private tokenWaitMs(window: KeyWindow, excess: number, nowMs: number): number {
    let freed = 0;
    for (const slot of window.slots) {
      freed += slot.tokens;
      if (freed >= excess) return slot.end + RATE_WINDOW_MS - nowMs;
    }
    // Only in-flight requests hold the rest; they free it when they settle.
    return 1_000;
  }

  private state(window: KeyWindow, request: RateLimitRequest): RateLimitState {
    const state: RateLimitState = {};
    const { nowMs, limits } = request;
    if (limits.requestsPerMinute !== undefined) {
      const newest = window.requests.newest();
      state.requests = {
        limit: limits.requestsPerMinute,
        remaining: Math.max(0, limits.requestsPerMinute - window.requests.size),
        resetMs: newest === undefined ? 0 : Math.max(0, newest + RATE_WINDOW_MS - nowMs),
      };
    }
    if (limits.tokensPerMinute !== undefined) {
      const newestSlot = window.slots[window.slots.length - 1];
      const used = window.settledTokens + window.heldTokens;
      state.tokens = {
        limit: limits.tokensPerMinute,
        remaining: Math.max(0, limits.tokensPerMinute - used),
        resetMs: newestSlot === undefined ? 0 : Math.max(0, newestSlot.end + RATE_WINDOW_MS - nowMs),
      };
    }
    return state;
  }
}
