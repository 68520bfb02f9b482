import { createHash } from "node:crypto";
import zlib from "node:zlib";
import type { Storage } from "./types.ts";

/** The algorithms HASH offers (draft-bryan-ftpext-hash), by their IANA hash names. */
export const HASH_ALGORITHMS = ["SHA-256", "SHA-1", "MD5", "CRC32"] as const;
export type HashAlgorithm = (typeof HASH_ALGORITHMS)[number];

const NODE_NAMES: Record<Exclude<HashAlgorithm, "CRC32">, string> = { "SHA-256": "sha256", "SHA-1": "sha1", MD5: "md5" };
const CHUNK = 256 * 1024;

let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3, as zlib and XCRC use it) continuing from `crc`; for runtimes without zlib.crc32. */
export function tableCrc32(data: Uint8Array, crc = 0): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

// Node 20.15+, Bun and Deno have zlib.crc32 (native); older Node gets the table.
const crc32: (data: Uint8Array, crc: number) => number = typeof zlib.crc32 === "function" ? zlib.crc32 : tableCrc32;

interface Digest {
  update(chunk: Buffer): void;
  hex(): string;
}

function digestOf(algorithm: HashAlgorithm): Digest {
  if (algorithm === "CRC32") {
    let crc = 0;
    return {
      update: (chunk) => (crc = crc32(chunk, crc)),
      hex: () => crc.toString(16).padStart(8, "0"),
    };
  }
  const hash = createHash(NODE_NAMES[algorithm]);
  return { update: (chunk) => hash.update(chunk), hex: () => hash.digest("hex") };
}

/**
 * The hash of bytes `start` up to (not including) `end` of a stored file, in lowercase hex,
 * read a buffer at a time, and how many bytes it covers (fewer when the file shrank meanwhile).
 * `cancelled` is asked between reads: a client that went away stops the work.
 */
export async function hashFile(
  storage: Storage,
  path: string,
  start: number,
  end: number,
  algorithm: HashAlgorithm,
  cancelled: () => boolean,
): Promise<{ hex: string; bytes: number }> {
  const digest = digestOf(algorithm);
  let left = end - start;
  if (left <= 0) return { hex: digest.hex(), bytes: 0 };
  if (storage.openReader) {
    const reader = await storage.openReader(path, start);
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK, left));
    try {
      while (left > 0 && !cancelled()) {
        const n = await reader.read(left < buffer.length ? buffer.subarray(0, left) : buffer);
        if (n === 0) break;
        digest.update(buffer.subarray(0, n));
        left -= n;
      }
    } finally {
      await reader.close().catch(() => {});
    }
  } else {
    const stream = await storage.read(path, start);
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const part = chunk.length > left ? chunk.subarray(0, left) : chunk;
        digest.update(part);
        left -= part.length;
        if (left <= 0 || cancelled()) break;
      }
    } finally {
      stream.destroy();
    }
  }
  if (cancelled()) throw new Error("hash cancelled: the session ended");
  return { hex: digest.hex(), bytes: end - start - left };
}
