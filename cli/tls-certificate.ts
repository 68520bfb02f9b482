import { existsSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type * as selfsignedModule from "selfsigned";
import type { ServerOptions } from "../core/config/types.ts";

/**
 * selfsigned (and the X.509 library under it) is loaded only when a certificate is made: on
 * every later start it would cost a sizeable share of the time to listening for nothing.
 */
async function loadGenerate(): Promise<typeof selfsignedModule.generate> {
  const module = await import("selfsigned");
  // A CommonJS package: Node and Bun expose its functions by name, Deno only on the default export.
  return module.generate ?? (module as unknown as { default: typeof selfsignedModule }).default.generate;
}

/**
 * FTPS without a configured certificate: a self-signed pair made on first start and kept in
 * the data folder (key readable by the owner only), so the fingerprint clients were asked to
 * trust stays the same across restarts. Returns the options with the files filled in.
 */
export async function ensureTlsCertificate(options: ServerOptions): Promise<{ options: ServerOptions; generated: string | null }> {
  const { tls } = options;
  if (!tls.enabled || (tls.certFile && tls.keyFile)) return { options, generated: null };
  const dir = path.join(options.dataDir, "tls");
  const certFile = path.join(dir, "self-signed.crt");
  const keyFile = path.join(dir, "self-signed.key");
  let generated: string | null = null;
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const host = os.hostname();
    const generate = await loadGenerate();
    const pems = await generate([{ name: "commonName", value: host }], {
      // P-256: every FTPS client speaks it, and it is made in milliseconds even on a Pi.
      keyType: "ec",
      curve: "P-256",
      notAfterDate: new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000),
      algorithm: "sha256",
      extensions: [{ name: "subjectAltName", altNames: [{ type: 2, value: host }, { type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] }],
    });
    await writeFile(keyFile, pems.private, { mode: 0o600 });
    await chmod(keyFile, 0o600);
    await writeFile(certFile, pems.cert);
    generated = certFile;
  }
  return { options: { ...options, tls: { ...tls, certFile, keyFile } }, generated };
}
