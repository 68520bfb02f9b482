#!/usr/bin/env node
// Installs the Debian packages the test suite drives (real FTP clients, reference FTP servers,
// a browser, an arm64 emulator). Idempotent and quick when everything is there: the check is
// one dpkg-query plus a PATH lookup, so `npm test` pays nothing for it on a ready machine.
//
// The three reference servers (vsftpd, pure-ftpd, proftpd) cannot be installed side by side:
// each Debian package Provides and Conflicts with `ftp-server`. So their binaries are unpacked
// with `apt-get download` + `dpkg-deb -x` into /opt/ftpi-test/<package>/ (never started, no
// maintainer scripts run) and linked as /usr/local/sbin/{vsftpd,pure-ftpd,proftpd}; only their
// shared libraries are installed through apt. proftpd's loadable modules are in
// /opt/ftpi-test/proftpd-core/usr/lib/proftpd (use `ModulePath` in a test config).
//
// pyftpdlib comes from Debian, so it is importable by /usr/bin/python3 (not necessarily by
// another python3 that PATH finds first, e.g. pyenv's).
//
// When not root or without apt-get this prints what is missing and exits 0: unit tests still
// run, and a test that needs a missing tool must fail saying so.
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, chmodSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** Packages installed the ordinary way. */
const APT_PACKAGES = [
  "curl",
  "lftp",
  "python3",
  "chromium",
  "qemu-user-static",
  "libc6-arm64-cross",
  "python3-pyftpdlib",
];

/** Reference servers: Debian package to unpack, and the daemon binary inside it. */
const REFERENCE_SERVERS = [
  { pkg: "vsftpd", bin: "vsftpd" },
  { pkg: "pure-ftpd", bin: "pure-ftpd" },
  { pkg: "proftpd-core", bin: "proftpd" },
];

const UNPACK_ROOT = "/opt/ftpi-test";
const LINK_DIR = "/usr/local/sbin";
const POLICY_RC_D = "/usr/sbin/policy-rc.d";

function log(msg) {
  console.log(`test-setup: ${msg}`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {
    stdio: opts.capture ? ["ignore", "pipe", "pipe"] : "inherit",
    encoding: "utf8",
    cwd: opts.cwd,
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return { ok: r.status === 0, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

function findOnPath(bin) {
  const dirs = new Set([...(process.env.PATH ?? "").split(delimiter), "/usr/local/sbin", "/usr/sbin", "/sbin"]);
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      accessSync(join(dir, bin), constants.X_OK);
      return join(dir, bin);
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** Packages of `names` that dpkg does not report as installed. */
function missingPackages(names) {
  if (names.length === 0) return [];
  const r = run("dpkg-query", ["-W", "-f=${Package} ${db:Status-Status}\n", ...names], { capture: true });
  const installed = new Set(
    r.stdout
      .split("\n")
      .filter((l) => l.endsWith(" installed"))
      .map((l) => l.split(" ")[0].split(":")[0]),
  );
  return names.filter((n) => !installed.has(n));
}

/** Another apt/dpkg run (e.g. a provisioning script) holds the locks: wait for it, don't fight it. */
async function waitForOtherPackageManagers() {
  const busy = () => {
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
      try {
        const comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
        if (comm === "apt-get" || comm === "apt" || comm === "dpkg" || comm === "unattended-upgr") return comm;
      } catch {
        // process ended meanwhile
      }
    }
    return null;
  };
  const deadline = Date.now() + 20 * 60_000;
  let announced = false;
  for (let who = busy(); who && Date.now() < deadline; who = busy()) {
    if (!announced) log(`waiting for a running ${who} to finish...`);
    announced = true;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** Runtime libraries a package depends on (first alternative of each lib* dependency). */
function libraryDependencies(pkg) {
  const r = run(
    "apt-cache",
    ["depends", "--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", pkg],
    { capture: true },
  );
  const libs = [];
  let inAlternatives = false;
  for (const line of r.stdout.split("\n")) {
    const m = /^\s*(\|)?(?:Pre)?Depends:\s+(\S+)/.exec(line);
    if (!m) continue;
    const first = !inAlternatives;
    inAlternatives = m[1] === "|";
    const name = m[2];
    if (first && name.startsWith("lib") && !name.startsWith("<")) libs.push(name.split(":")[0]);
  }
  return libs;
}

/** Debian's way to keep maintainer scripts from starting daemons: policy-rc.d exiting 101. */
function withServicesBlocked(fn) {
  const ours = !existsSync(POLICY_RC_D);
  if (ours) writeFileSync(POLICY_RC_D, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
  try {
    return fn();
  } finally {
    if (ours) unlinkSync(POLICY_RC_D);
  }
}

function aptInstall(packages) {
  if (packages.length === 0) return true;
  log(`apt-get install ${packages.join(" ")}`);
  return withServicesBlocked(
    () => run("apt-get", ["-o", "DPkg::Lock::Timeout=600", "install", "-y", "-q", "--no-install-recommends", ...packages]).ok,
  );
}

/** Unpacks a reference server without installing it (see the header) and links its binary. */
function unpackServer({ pkg, bin }) {
  const work = mkdtempSync(join(tmpdir(), "ftpi-test-setup-"));
  try {
    chmodSync(work, 0o777); // apt-get download runs as the _apt user
    if (!run("apt-get", ["download", "-q", pkg], { cwd: work }).ok) return false;
    const deb = readdirSync(work).find((f) => f.endsWith(".deb"));
    if (!deb) return false;
    const dest = join(UNPACK_ROOT, pkg);
    rmSync(dest, { recursive: true, force: true });
    mkdirSync(dest, { recursive: true });
    if (!run("dpkg-deb", ["-x", join(work, deb), dest]).ok) return false;
    const target = join(dest, "usr/sbin", bin);
    const link = join(LINK_DIR, bin);
    mkdirSync(LINK_DIR, { recursive: true });
    rmSync(link, { force: true });
    symlinkSync(target, link);
    const ldd = run("ldd", [target], { capture: true });
    if (/not found/.test(ldd.stdout)) {
      log(`warning: ${bin} misses libraries:\n${ldd.stdout.split("\n").filter((l) => /not found/.test(l)).join("\n")}`);
      return false;
    }
    log(`${bin} -> ${target}`);
    return true;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function missingTools() {
  const gone = missingPackages(APT_PACKAGES);
  for (const s of REFERENCE_SERVERS) if (!findOnPath(s.bin)) gone.push(s.bin);
  return gone;
}

async function main() {
  if (process.platform !== "linux") {
    log("warning: not Linux; the e2e tests that drive real clients and servers will fail");
    return;
  }
  let missing = missingTools();
  if (missing.length === 0) return;

  const canInstall = process.getuid?.() === 0 && findOnPath("apt-get") && findOnPath("dpkg-deb");
  if (!canInstall) {
    log(`warning: missing ${missing.join(", ")}; cannot install (needs root and apt-get). Tests that use them will fail.`);
    return;
  }

  await waitForOtherPackageManagers();
  missing = missingTools(); // the run we waited for may have installed them

  const packages = missingPackages(APT_PACKAGES);
  const servers = REFERENCE_SERVERS.filter((s) => missing.includes(s.bin));
  if (packages.length > 0 || servers.length > 0) {
    // Only now that something must be installed; the lists must be current before reading deps.
    log("apt-get update");
    if (!run("apt-get", ["-o", "DPkg::Lock::Timeout=600", "update", "-qq"]).ok) log("warning: apt-get update failed");
    const libs = missingPackages([...new Set(servers.flatMap((s) => libraryDependencies(s.pkg)))]);
    const wanted = [...packages, ...libs];
    if (!aptInstall(wanted)) {
      // One uninstallable package fails the whole batch; get the others in regardless.
      log("warning: apt-get install failed; trying the packages one by one");
      for (const pkg of missingPackages(wanted)) if (!aptInstall([pkg])) log(`warning: could not install ${pkg}`);
    }
    for (const s of servers) if (!unpackServer(s)) log(`warning: could not unpack ${s.pkg}`);
  }

  missing = missingTools();
  if (missing.length > 0) log(`warning: still missing ${missing.join(", ")}. Tests that use them will fail.`);
  else log("all test tools present");
}

await main();
