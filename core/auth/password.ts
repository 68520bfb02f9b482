import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

// scrypt as RFC 7914 recommends for interactive logins: N = 2^14, r = 8, p = 1 costs ~16 MiB
// and some tens of milliseconds, cheap for a login and costly for a guesser.
const LOG2_COST = 14;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

// Bounds for hashes read back from a config: generous enough for future parameters, tight
// enough that a hostile value cannot make one login allocate gigabytes or spin for minutes.
const MAX_LOG2_COST = 20;
const MAX_BLOCK_SIZE = 32;
const MAX_PARALLELISM = 16;
const MIN_SALT_BYTES = 8;
const MIN_KEY_BYTES = 16;
const MAX_KEY_BYTES = 128;

// $scrypt$ln=14,r=8,p=1$<salt>$<key>, the PHC string format (base64 without padding).
const HASH_FORMAT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

interface ParsedHash {
  options: ScryptOptions;
  salt: Buffer;
  key: Buffer;
}

function parseHash(hash: string): ParsedHash | null {
  const match = HASH_FORMAT.exec(hash);
  if (!match) return null;
  const [, ln, r, p, salt64, key64] = match as unknown as [string, string, string, string, string, string];
  const log2Cost = Number(ln);
  const blockSize = Number(r);
  const parallelism = Number(p);
  const salt = Buffer.from(salt64, "base64");
  const key = Buffer.from(key64, "base64");
  if (log2Cost < 1 || log2Cost > MAX_LOG2_COST) return null;
  if (blockSize < 1 || blockSize > MAX_BLOCK_SIZE) return null;
  if (parallelism < 1 || parallelism > MAX_PARALLELISM) return null;
  if (salt.length < MIN_SALT_BYTES || key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) return null;
  const cost = 2 ** log2Cost;
  return {
    options: {
      N: cost,
      r: blockSize,
      p: parallelism,
      // Node refuses above 32 MiB by default; scrypt needs 128·N·r bytes, plus headroom.
      maxmem: 256 * cost * blockSize + 1024 * 1024,
    },
    salt,
    key,
  };
}

function derive(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  // NFC: "é" typed on a Mac (decomposed) and on Linux (composed) must be the same password.
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, length, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function base64(bytes: Buffer): string {
  return bytes.toString("base64").replace(/=+$/, "");
}

/**
 * Hashes a password for the config file with scrypt and a fresh random salt. The result names
 * its own parameters, so they can be raised later without breaking existing hashes.
 *
 * @example
 * await hashPassword("correct horse") // "$scrypt$ln=14,r=8,p=1$Gk2…$Yq8…"
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const options = { N: 2 ** LOG2_COST, r: BLOCK_SIZE, p: PARALLELISM };
  const key = await derive(password, salt, KEY_BYTES, options);
  return `$scrypt$ln=${LOG2_COST},r=${BLOCK_SIZE},p=${PARALLELISM}$${base64(salt)}$${base64(key)}`;
}

/**
 * Checks a password against a hash from hashPassword(), in constant time. A malformed hash
 * answers false rather than throwing, so a broken config line cannot crash a login.
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parsed = typeof hash === "string" ? parseHash(hash) : null;
  if (!parsed || typeof password !== "string") return false;
  try {
    const key = await derive(password, parsed.salt, parsed.key.length, parsed.options);
    return timingSafeEqual(key, parsed.key);
  } catch {
    return false;
  }
}

/** Whether `text` is a hash verifyPassword() can check (for config validation). */
export function isPasswordHash(text: string): boolean {
  return typeof text === "string" && parseHash(text) !== null;
}
