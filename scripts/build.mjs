#!/usr/bin/env node
// Compiles cli/main.ts into one self-contained executable per target with `bun build --compile`
// (Bun comes from node_modules/.bin; the runtime of a foreign target is fetched once from the
// npm registry and cached by Bun). Output: dist/ftpi-<target>.
//
//   node scripts/build.mjs                      every target below
//   node scripts/build.mjs linux-arm64          only these targets
//   node scripts/build.mjs --if-stale linux-x64 only when dist/ftpi-linux-x64 is missing or
//                                               older than the sources (what the tests use)
//
// Each binary is written to a temporary name and renamed into place, and builds take a lock, so
// two test runs started at once never run or copy a half-written executable.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = join(ROOT, "dist");
const BUN = join(ROOT, "node_modules", ".bin", "bun");
const ENTRY = "cli/main.ts";

/**
 * dist name → Bun target. x64 uses Bun's baseline runtime (x86-64-v2, any CPU since 2008): the
 * default x64 runtime needs AVX2 and dies with "Illegal instruction" on the Celeron, Pentium Silver
 * and Atom chips many home servers and NAS boxes run on. Naming the baseline also keeps the build
 * reproducible: `bun-linux-x64` means whichever x64 runtime npm installed on the build machine.
 * The musl builds are for Alpine and need its libstdc++; they are built but not run by the tests.
 */
const TARGETS = {
  "linux-x64": "bun-linux-x64-baseline",
  "linux-arm64": "bun-linux-arm64",
  "linux-x64-musl": "bun-linux-x64-musl-baseline",
  "linux-arm64-musl": "bun-linux-arm64-musl",
};

/** What goes into the executable: a change to any of these makes dist/ stale. */
const SOURCES = ["cli", "core", "plugins", "web", "package.json", "package-lock.json", "tsconfig.json", "scripts/build.mjs"];

const LOCK = join(DIST, ".build.lock");
const LOCK_STALE_MS = 5 * 60_000;

function newestSourceMtime() {
  let newest = 0;
  const visit = (path) => {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      return; // web/ may not exist yet
    }
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) if (entry !== "node_modules") visit(join(path, entry));
    } else {
      newest = Math.max(newest, stat.mtimeMs);
    }
  };
  for (const source of SOURCES) visit(join(ROOT, source));
  return newest;
}

function isFresh(target) {
  try {
    return statSync(join(DIST, `ftpi-${target}`)).mtimeMs >= newestSourceMtime();
  } catch {
    return false;
  }
}

function git(...args) {
  const result = spawnSync("git", args, { cwd: ROOT, encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : null;
}

/** Baked into the executable as the global FTPI_BUILD (see cli/version.ts). */
function buildInfo(target) {
  const commit = git("rev-parse", "--short", "HEAD");
  // Only changes to what is compiled in make a build "dirty", not someone's notes or tests.
  const dirty = commit !== null && git("status", "--porcelain", "--", ...SOURCES.filter((s) => !s.endsWith(".mjs"))) !== "";
  return { target, commit: commit === null ? null : `${commit}${dirty ? "-dirty" : ""}` };
}

function compile(target) {
  const outfile = join(DIST, `ftpi-${target}`);
  // Same file name in a private folder: the name is what the executable's own module paths show.
  const partialDir = join(DIST, `.partial-${process.pid}`);
  const partial = join(partialDir, `ftpi-${target}`);
  const args = [
    "build",
    "--compile",
    `--target=${TARGETS[target]}`,
    "--minify",
    // Precompiled JavaScriptCore bytecode: about a third less CPU to start (it shows on a Pi).
    "--bytecode",
    "--format=esm",
    // A compiled Bun executable would otherwise read .env and bunfig.toml from whatever folder it
    // is started in: ftpi's behaviour must come from its flags and ftpi.yaml only.
    "--no-compile-autoload-dotenv",
    "--no-compile-autoload-bunfig",
    `--define=FTPI_BUILD=${JSON.stringify(buildInfo(target))}`,
    ENTRY,
    `--outfile=${partial}`,
  ];
  const started = Date.now();
  const result = spawnSync(BUN, args, { cwd: ROOT, encoding: "utf8" });
  if (result.status !== 0) {
    rmSync(partialDir, { recursive: true, force: true });
    const why = result.error ? result.error.message : `${result.stdout}${result.stderr}`.trim();
    throw new Error(`bun build --compile for ${target} failed:\n${why}`);
  }
  renameSync(partial, outfile);
  rmSync(partialDir, { recursive: true, force: true });
  const mib = (statSync(outfile).size / 2 ** 20).toFixed(1);
  console.log(`build: dist/ftpi-${target}  ${mib} MiB  ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function withLock(fn) {
  mkdirSync(DIST, { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      // A build that crashed leaves its lock behind; no build takes minutes.
      if (Date.now() - statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs > LOCK_STALE_MS) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmdirSync(LOCK);
  }
}

async function main(argv) {
  const ifStale = argv.includes("--if-stale");
  const named = argv.filter((arg) => arg !== "--if-stale");
  const unknown = named.filter((name) => !Object.hasOwn(TARGETS, name));
  if (unknown.length > 0) {
    console.error(`build: unknown target ${unknown.join(", ")} (targets: ${Object.keys(TARGETS).join(", ")})`);
    return 2;
  }
  const targets = named.length > 0 ? named : Object.keys(TARGETS);
  await withLock(() => {
    // Checked under the lock: a build that ran while we waited may have done the work.
    for (const target of targets) {
      if (ifStale && isFresh(target)) continue;
      compile(target);
    }
  });
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(`build: ${error.message}`);
  process.exitCode = 1;
}
