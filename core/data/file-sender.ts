import type net from "node:net";
import type { FileReader } from "../storage/types.ts";
import { noteTransferred } from "./garbage.ts";
import type { Throttle } from "./throttle.ts";

const CHUNK = 256 * 1024;
/** Buffers in flight per download: enough to keep the socket busy while the next read runs. */
const RING = 4;
/** Buffers kept for reuse across downloads; beyond this they are left to the GC. */
const POOL_MAX = 64;
const pool: Buffer[] = [];

function take(): Buffer {
  return pool.pop() ?? Buffer.allocUnsafeSlow(CHUNK);
}

function giveBack(b: Buffer): void {
  if (pool.length < POOL_MAX) pool.push(b);
}

/**
 * Sends a file in binary mode through a small ring of reused buffers: a buffer is read into
 * again only after the socket has handed its bytes to the kernel. No allocation per chunk and
 * no garbage means memory is flat in file size and the GC stays idle during big downloads.
 * `onBytes` is told of every chunk read (live progress); the promise settles when the last
 * byte is flushed, or rejects on a socket error or abort. Under a `throttle` the chunks shrink
 * to its slice and each waits its turn before it is written.
 */
export async function sendFile(
  reader: FileReader,
  socket: net.Socket,
  signal: AbortSignal,
  onBytes: (n: number) => void,
  throttle: Throttle | null = null,
): Promise<void> {
  const ring = Array.from({ length: RING }, take);
  const inFlight: (Promise<void> | null)[] = Array(RING).fill(null);
  let failure: unknown = null;
  const onAbort = () => socket.destroy(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
  signal.addEventListener("abort", onAbort, { once: true });
  const written = (i: number, bytes: Buffer) =>
    new Promise<void>((resolve, reject) => {
      socket.write(bytes, (err) => (err ? reject(err) : resolve()));
    }).catch((err) => {
      failure ??= err;
      throw err;
    });
  try {
    if (signal.aborted) throw signal.reason;
    for (let i = 0; ; i = (i + 1) % RING) {
      if (inFlight[i]) await inFlight[i];
      if (failure) throw failure;
      if (socket.destroyed) throw new Error("data connection closed");
      const n = await reader.read(throttle ? ring[i]!.subarray(0, throttle.slice()) : ring[i]!);
      if (n === 0) break;
      if (throttle) await throttle.take(n, signal);
      onBytes(n);
      noteTransferred(n);
      inFlight[i] = written(i, n === CHUNK ? ring[i]! : ring[i]!.subarray(0, n));
      inFlight[i]!.catch(() => {});
    }
    await Promise.all(inFlight);
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.end(() => resolve());
    });
  } finally {
    signal.removeEventListener("abort", onAbort);
    await Promise.allSettled(inFlight);
    // Buffers the socket may still hold (after an error) are not reused.
    if (!failure && !signal.aborted) ring.forEach(giveBack);
    await reader.close().catch(() => {});
  }
}
