import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { copyFile, link, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { REPO } from "./process.ts";

export type Target = "linux-x64" | "linux-arm64";

export const DIST = path.join(REPO, "dist");

/**
 * Builds the executables for `targets` unless dist/ already has them newer than the sources
 * (scripts/build.mjs --if-stale; it takes a lock, so test files may call this at the same time).
 */
export function ensureBinaries(...targets: Target[]): void {
  const result = spawnSync(process.execPath, [path.join(REPO, "scripts/build.mjs"), "--if-stale", ...targets], { cwd: REPO, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`scripts/build.mjs --if-stale ${targets.join(" ")} failed:\n${result.stdout}${result.stderr}${result.error?.message ?? ""}`);
}

/**
 * Puts dist/ftpi-<target> alone into a new temp folder, as a user would copy it onto a box. A hard
 * link where possible: the executable is 110 MB, and every test run would otherwise leave copies.
 */
export async function binaryInEmptyFolder(target: Target): Promise<{ dir: string; binary: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `ftpi-${target}-`));
  const binary = path.join(dir, `ftpi-${target}`);
  const built = path.join(DIST, `ftpi-${target}`);
  await link(built, binary).catch(() => copyFile(built, binary));
  return { dir, binary, remove: () => rm(dir, { recursive: true, force: true }) };
}

const QEMU = "qemu-aarch64-static";
/** Debian's libc6-arm64-cross: the arm64 loader and glibc the executable links against. */
const ARM64_SYSROOT = "/usr/aarch64-linux-gnu";

function onPath(bin: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    try {
      accessSync(path.join(dir, bin), constants.X_OK);
      return path.join(dir, bin);
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * The command prefix that runs an arm64 executable on this machine: qemu user-mode emulation of a
 * Cortex-A53 (Raspberry Pi 3 / Zero 2 W, the oldest 64-bit Pi; qemu refuses instructions that
 * CPU lacks) with the cross glibc as sysroot. Throws saying what to install when either is missing.
 */
export function arm64Runner(): string[] {
  const qemu = onPath(QEMU);
  const missing: string[] = [];
  if (!qemu) missing.push(`${QEMU} (Debian package qemu-user-static)`);
  if (!existsSync(path.join(ARM64_SYSROOT, "lib/ld-linux-aarch64.so.1"))) missing.push(`${ARM64_SYSROOT} (Debian package libc6-arm64-cross)`);
  if (missing.length > 0) {
    throw new Error(`cannot run the arm64 executable: missing ${missing.join(" and ")}. Run "node scripts/test-setup.mjs" as root (npm test does), or apt-get install qemu-user-static libc6-arm64-cross.`);
  }
  return [qemu!, "-cpu", "cortex-a53", "-L", ARM64_SYSROOT];
}
