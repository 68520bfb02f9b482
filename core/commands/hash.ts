// draft-bryan-ftpext-hash-02 (HASH, OPTS HASH, the FEAT line), and the older XCRC, XMD5, XSHA1,
// XSHA256 that Serv-U, GlobalSCAPE and FileZilla Server answer: checksums of stored files, so a
// client can check an upload without downloading it again.
import { Code } from "../codes.ts";
import { reply, type Reply } from "../reply.ts";
import type { Session } from "../session.ts";
import { HASH_ALGORITHMS, hashFile, type HashAlgorithm } from "../storage/checksum.ts";
import { authorize, guarded, pathOf, Refusal, storageOf } from "./access.ts";

/** The FEAT line: every algorithm, the one in use starred. */
export function hashFeature(s: Session): string {
  return `HASH ${HASH_ALGORITHMS.map((a) => (a === s.hashAlgorithm ? `${a}*` : a)).join(";")}`;
}

/** OPTS HASH [algorithm]: names the algorithm in use, or selects another for HASH. */
export function optsHash(s: Session, value: string): Reply {
  const wanted = value.trim().toUpperCase();
  if (wanted === "") return reply(Code.CommandOkay, s.hashAlgorithm);
  const algorithm = HASH_ALGORITHMS.find((a) => a === wanted);
  if (!algorithm) return reply(Code.NotImplementedForParam, `Unknown hash algorithm; use one of ${HASH_ALGORITHMS.join(", ")}.`);
  s.hashAlgorithm = algorithm;
  return reply(Code.CommandOkay, algorithm);
}

/** HASH path → `213 <algorithm> <start>-<end> <hex> <path>`, over the whole file (end exclusive). */
export function HASH(s: Session, arg: string): Promise<Reply | void> {
  return guarded(async () => {
    const { start, end, hex } = await checksum(s, arg, s.hashAlgorithm, 0, null);
    return reply(Code.FileStatus, `${s.hashAlgorithm} ${start}-${end} ${hex} ${arg}`);
  });
}

export const XCRC = checksumCommand("CRC32");
export const XMD5 = checksumCommand("MD5");
export const XSHA1 = checksumCommand("SHA-1");
export const XSHA256 = checksumCommand("SHA-256");

/** `X… path [start [end]]` → `250 <hex>`; the path may be in double quotes, end is exclusive. */
function checksumCommand(algorithm: HashAlgorithm) {
  return (s: Session, arg: string): Promise<Reply | void> =>
    guarded(async () => {
      const { name, start, end } = await checksumArgs(s, arg);
      const { hex } = await checksum(s, name, algorithm, start, end);
      return reply(Code.FileActionOkay, hex);
    });
}

/**
 * Splits `name [start [end]]`. A name may end in digits after a space ("track 01"): trailing
 * numbers are a range only when the whole argument names no file.
 */
async function checksumArgs(s: Session, arg: string): Promise<{ name: string; start: number; end: number | null }> {
  const quoted = /^"((?:[^"]|"")*)"(?:\s+(\d{1,15})(?:\s+(\d{1,15}))?)?\s*$/.exec(arg);
  const ranged = quoted ?? /^(.*?)\s+(\d{1,15})(?:\s+(\d{1,15}))?$/.exec(arg);
  if (!ranged) return { name: arg, start: 0, end: null };
  if (!quoted) {
    const whole = await storageOf(s).stat(pathOf(s, arg)).then(() => true, () => false);
    if (whole) return { name: arg, start: 0, end: null };
  }
  const name = quoted ? ranged[1]!.replaceAll('""', '"') : ranged[1]!;
  const start = ranged[2] === undefined ? 0 : Number(ranged[2]);
  const end = ranged[3] === undefined ? null : Number(ranged[3]);
  if (end !== null && end < start) throw new Refusal(reply(Code.SyntaxErrorArgs, "The range ends before it starts."));
  return { name, start, end };
}

/** Hashes bytes start..end (end exclusive, null: to the end of the file) of a file the user may read. */
async function checksum(s: Session, name: string, algorithm: HashAlgorithm, start: number, end: number | null): Promise<{ start: number; end: number; hex: string }> {
  const path = pathOf(s, name);
  authorize(s, "read", path);
  const entry = await storageOf(s).stat(path);
  if (entry.type !== "file") throw new Refusal(reply(Code.ActionNotTaken, "Not a regular file."));
  const last = Math.min(end ?? entry.size, entry.size);
  if (start > last) throw new Refusal(reply(Code.SyntaxErrorArgs, `The range starts beyond the end of the file (${entry.size} bytes).`));
  const cap = s.server.options.limits.maxHashSize;
  if (cap > 0 && last - start > cap) {
    throw new Refusal(reply(Code.ExceededStorage, `File too large to hash: ${last - start} bytes, over this server's limit of ${cap} (limits.maxHashSize).`));
  }
  const { hex, bytes } = await hashFile(storageOf(s), path, start, last, algorithm, () => s.closed);
  if (bytes < last - start) throw new Refusal(reply(Code.FileUnavailable, "The file changed while it was hashed; try again."));
  return { start, end: last, hex };
}
