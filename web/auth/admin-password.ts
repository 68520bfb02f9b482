import { randomInt } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { hashPassword, isPasswordHash } from "../../core/auth/password.ts";

/** Where the admin login's hash comes from, most binding first. */
export type AdminPasswordSource = "env" | "config" | "stored" | "generated";

export interface AdminPassword {
  /** scrypt hash; the password itself is never kept. */
  hash: string;
  source: AdminPasswordSource;
  /** The new password when one was generated on this start: print it once, then forget it. */
  generated: string | null;
  /** The file that holds the stored hash. */
  file: string;
}

export const ADMIN_PASSWORD_ENV = "FTPI_ADMIN_PASSWORD";
const FILE_NAME = "admin.json";

// No 0/o, 1/l/i: the password is read off a terminal and typed on a phone.
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
const GROUPS = 4;
const GROUP_LENGTH = 4;

/** A random password like "k7qm-x2ve-hp9c-wa4t": 16 symbols of 31, about 79 bits. */
export function generateAdminPassword(): string {
  const group = () => Array.from({ length: GROUP_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
  return Array.from({ length: GROUPS }, group).join("-");
}

/**
 * The admin password for this run: FTPI_ADMIN_PASSWORD (hashed now, not stored, so unsetting it
 * brings the stored one back), else `web.adminPassword` from the config, else the hash stored in
 * `<dataDir>/admin.json`, else a new random one whose hash is stored there (mode 0600).
 */
export async function resolveAdminPassword(opts: {
  dataDir: string;
  configured: string | null;
  fromEnv?: string | undefined;
}): Promise<AdminPassword> {
  const file = path.join(opts.dataDir, FILE_NAME);
  if (opts.fromEnv) return { hash: await hashPassword(opts.fromEnv), source: "env", generated: null, file };
  if (opts.configured) return { hash: opts.configured, source: "config", generated: null, file };
  const stored = await readStoredHash(file);
  if (stored) return { hash: stored, source: "stored", generated: null, file };
  const generated = generateAdminPassword();
  const hash = await hashPassword(generated);
  await writePrivateFile(file, `${JSON.stringify({ passwordHash: hash, createdAt: new Date().toISOString() }, null, 2)}\n`);
  return { hash, source: "generated", generated, file };
}

async function readStoredHash(file: string): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  // A damaged file must not silently become a fresh password nobody has seen.
  let hash: unknown;
  try {
    hash = (JSON.parse(text) as { passwordHash?: unknown }).passwordHash;
  } catch {
    hash = undefined;
  }
  if (typeof hash !== "string" || !isPasswordHash(hash)) {
    throw new Error(`${file} holds no valid admin password hash; delete it to get a new password on the next start`);
  }
  return hash;
}

/** Writes `file` atomically (temp file, fsync, rename), readable by its owner only. */
async function writePrivateFile(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  // "wx" on a fresh name: the mode applies only when the file is created.
  await rm(tmp, { force: true });
  const handle = await open(tmp, "wx", 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  await rename(tmp, file);
}
