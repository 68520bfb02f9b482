import v8 from "node:v8";
import vm from "node:vm";

type V8Gc = (options?: { type: "minor" | "major" }) => void;

/** V8's gc() (Node), exposed at run time; null on Bun and Deno, or when it cannot be had. */
function findV8Gc(): V8Gc | null {
  if ((globalThis as { Bun?: unknown }).Bun) return null;
  if (typeof (globalThis as { Deno?: unknown }).Deno !== "undefined") return null;
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as V8Gc | undefined;
    return typeof gc === "function" ? gc : null;
  } catch {
    return null;
  }
}

const v8Gc = findV8Gc();
const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;

/**
 * Uploads arrive in buffers the runtime allocates per socket read; they die at once, but a
 * generational GC lets tens of MiB of them pile up before it looks (V8 waits for ~32-64 MiB of
 * external memory). On V8 (Node), asking for a young-generation collection every few MiB keeps
 * a Pi's RSS flat for the cost of a scavenge, well under a millisecond, and even saves CPU. Bun
 * has no cheap equivalent (a forced collection is a full heap mark, ~60 ms): there each received
 * buffer is freed once written instead (core/storage/local.ts, release()).
 */
const minorGc = v8Gc && (() => v8Gc({ type: "minor" }));
/** A full collection, where the runtime offers one: Bun.gc(true), or V8's major GC. */
const fullGc = bun ? () => bun.gc(true) : v8Gc && (() => v8Gc({ type: "major" }));

// Measured on a 1 GiB STOR (test/e2e/memory.test.ts): peak RSS +25-30 MiB without, +5-8 MiB with.
const EVERY_BYTES = 4 * 1024 * 1024;
let sinceLast = 0;
/** Bytes moved since the last full collection; a quiet server collects once they pass this. */
const IDLE_COLLECT_BYTES = 64 * 1024 * 1024;
let sinceFull = 0;

/**
 * Counts transferred bytes (all sessions together) and collects young garbage every few MiB.
 * Downloads reuse their buffers, but a runtime may still copy what a socket could not send at
 * once (Bun does), so they count too.
 */
export function noteTransferred(bytes: number): void {
  sinceFull += bytes;
  if (!minorGc) return;
  sinceLast += bytes;
  if (sinceLast >= EVERY_BYTES) {
    sinceLast = 0;
    minorGc();
  }
}

/**
 * Called by the server's sweep when no transfer has run for a while: after a busy spell (at
 * least IDLE_COLLECT_BYTES moved), one full collection gives back what the transfers left for
 * the GC (download buffers beyond the pool, stream objects), so a quiet Pi does not keep a busy
 * hour's peak. One collection costs tens of ms, once per busy spell.
 */
export function collectWhenIdle(): void {
  if (sinceFull < IDLE_COLLECT_BYTES || !fullGc) return;
  sinceFull = 0;
  fullGc();
}
