import v8 from "node:v8";
import vm from "node:vm";

/**
 * Uploads arrive in buffers the runtime allocates per socket read; they die at once, but a
 * generational GC lets tens of MiB of them pile up before it looks (V8 waits for ~32-64 MiB of
 * external memory). On V8 (Node), asking for a young-generation collection every few MiB keeps
 * a Pi's RSS flat for the cost of a scavenge, well under a millisecond, and even saves CPU.
 * Where the runtime offers no cheap call (Bun, Deno) this does nothing: memory is bounded by
 * the runtime's own GC instead of flat.
 */
function findMinorGc(): (() => void) | null {
  // Bun: its non-blocking collection frees too little to matter, and a forced one costs a full
  // heap mark (~60 ms each: 8 s of CPU per GiB uploaded, measured). Bun's peak is left to its
  // own GC: bounded (+30 MiB), not growing with file size.
  if ((globalThis as { Bun?: unknown }).Bun) return null;
  if (typeof (globalThis as { Deno?: unknown }).Deno !== "undefined") return null;
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as ((o?: { type: "minor" | "major"; execution?: "sync" | "async" }) => void) | undefined;
    if (typeof gc !== "function") return null;
    return () => gc({ type: "minor" });
  } catch {
    return null;
  }
}

const minorGc = findMinorGc();

/** A full collection, where the runtime offers one: Bun.gc(true), or V8's major GC. */
function findFullGc(): (() => void) | null {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
  if (bun) return () => bun.gc(true);
  if (typeof (globalThis as { Deno?: unknown }).Deno !== "undefined") return null;
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as ((o?: { type: "minor" | "major" }) => void) | undefined;
    return typeof gc === "function" ? () => gc({ type: "major" }) : null;
  } catch {
    return null;
  }
}

const fullGc = findFullGc();
/** Bytes moved since the last full collection; a quiet server collects once they pass this. */
const IDLE_COLLECT_BYTES = 64 * 1024 * 1024;
let sinceFull = 0;
// Measured on a 1 GiB STOR (test/e2e/memory.test.ts): peak RSS +25-30 MiB without, +5-8 MiB with.
const EVERY_BYTES = 4 * 1024 * 1024;
let sinceLast = 0;

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
 * the GC (socket read buffers on Bun, download buffers beyond the pool), so a quiet Pi does not
 * keep a busy hour's peak. One collection costs tens of ms, once per busy spell.
 */
export function collectWhenIdle(): void {
  if (sinceFull < IDLE_COLLECT_BYTES || !fullGc) return;
  sinceFull = 0;
  fullGc();
}
