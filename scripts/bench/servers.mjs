// The servers under test: ftpi (compiled executable, optionally from source on Node and Bun)
// and, where installed, vsftpd, pure-ftpd, proftpd and pyftpdlib. Each listens on 127.0.0.1
// only, on its own port and passive range, serves its own folder, and gives one user all rights.
//
// ftpi uses its own scrypt-hashed user (`--user alice:secret`). Each C server authenticates a
// Unix user the bench creates for the run (`ftpib-<server>`, home = that server's folder, a
// SHA-512 crypt hash in /etc/shadow, checked through PAM or crypt(3); removed at the end);
// pyftpdlib has its user in memory (DummyAuthorizer, plain-text comparison).
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startTime } from "./accounting.mjs";

export const PASSWORD = "secret";
const PYTHON = "/usr/bin/python3"; // Debian's, which imports Debian's pyftpdlib
const PROFTPD_MODULES = "/opt/ftpi-test/proftpd-core/usr/lib/proftpd";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function which(bin) {
  for (const dir of ["/usr/local/sbin", "/usr/sbin", "/sbin", ...(process.env.PATH ?? "").split(":")]) {
    if (dir && existsSync(join(dir, bin))) return join(dir, bin);
  }
  return null;
}

export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** True once a connection to `port` reads a 220 greeting. */
function greets(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    const timer = setTimeout(() => (socket.destroy(), resolve(false)), 2000);
    socket.once("data", (d) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(d.toString().startsWith("220"));
    });
    socket.once("error", () => (clearTimeout(timer), resolve(false)));
  });
}

/** Creates (or resets) a Unix user for a C server: home `home`, password PASSWORD. */
export function createUnixUser(name, home) {
  if (spawnSync("id", [name]).status !== 0) {
    const made = spawnSync("useradd", ["--no-create-home", "--home-dir", home, "--shell", "/bin/sh", name], { encoding: "utf8" });
    if (made.status !== 0) throw new Error(`useradd ${name}: ${made.stderr}`);
  } else {
    spawnSync("usermod", ["--home", home, name]);
  }
  const set = spawnSync("chpasswd", ["--crypt-method", "SHA512"], { input: `${name}:${PASSWORD}\n`, encoding: "utf8" });
  if (set.status !== 0) throw new Error(`chpasswd: ${set.stderr}`);
  const id = (flag) => Number(spawnSync("id", [flag, name], { encoding: "utf8" }).stdout);
  return { uid: id("-u"), gid: id("-g") };
}

export function removeUnixUser(name) {
  if (spawnSync("id", [name]).status === 0) spawnSync("userdel", [name]);
}

/**
 * Every server the bench knows. `command(setup)` returns the argv (after writing any config
 * into `setup.dir`); `setup` = { dir, root, port, passive: [min, max] }.
 */
export function serverDefinitions(repo, { fromSource = [] } = {}) {
  const binary = join(repo, "dist", "ftpi-linux-x64");
  const ftpiArgs = (setup) => {
    const config = join(setup.dir, "ftpi.yaml");
    // Limits raised so the storm and the 500 idle sessions are not refused; TLS off (plain FTP
    // is measured, and the first start need not make a certificate). Logging stays default.
    writeFileSync(
      config,
      [
        "limits:",
        "  maxClients: 5000",
        "  maxSessionsPerIp: 5000",
        "  maxSessionsPerUser: 0",
        "  idleTimeout: 600",
        "tls:",
        "  enabled: false",
        "",
      ].join("\n"),
    );
    return [
      "serve",
      "--config", config,
      "--root", setup.root,
      "--user", `alice:${PASSWORD}`,
      "--listen", `127.0.0.1:${setup.port}`,
      "--passive-ports", `${setup.passive[0]}-${setup.passive[1]}`,
      "--web-port", "0",
      "--data-dir", join(setup.dir, "data"),
    ];
  };
  const ftpi = (name, prefix, exists) => ({
    name,
    kind: "ftpi",
    user: "alice",
    unixUser: null,
    available: exists,
    version: () => spawnSync(prefix[0], [...prefix.slice(1), "--version"], { encoding: "utf8" }).stdout.trim(),
    command: (setup) => [...prefix, ...ftpiArgs(setup)],
  });
  const tsxLoader = pathToFileURL(join(repo, "node_modules/tsx/dist/esm/index.mjs")).href;
  const bun = join(repo, "node_modules/.bin/bun");
  const servers = [ftpi("ftpi", [binary], () => existsSync(binary))];
  if (fromSource.includes("node")) servers.push(ftpi("ftpi-node", [process.execPath, "--import", tsxLoader, join(repo, "cli/main.ts")], () => true));
  if (fromSource.includes("bun")) servers.push(ftpi("ftpi-bun", [bun, join(repo, "cli/main.ts")], () => existsSync(bun)));
  const deno = join(repo, "node_modules/.bin/deno");
  if (fromSource.includes("deno")) servers.push(ftpi("ftpi-deno", [deno, "run", "-A", join(repo, "cli/main.ts")], () => existsSync(deno)));

  servers.push(
    {
      name: "vsftpd",
      kind: "peer",
      user: "ftpib-vsftpd",
      unixUser: "ftpib-vsftpd",
      available: () => which("vsftpd") !== null,
      // vsftpd -v writes its version to file descriptor 0.
      version: () => spawnSync("sh", ["-c", `${which("vsftpd")} -v 0>&1`], { encoding: "utf8" }).stdout.trim() || "vsftpd",
      command: (setup) => {
        const empty = join(setup.dir, "empty");
        mkdirSync(empty, { recursive: true, mode: 0o755 });
        const config = join(setup.dir, "vsftpd.conf");
        writeFileSync(
          config,
          [
            "listen=YES",
            "listen_ipv6=NO",
            "listen_address=127.0.0.1",
            `listen_port=${setup.port}`,
            "background=NO",
            "anonymous_enable=NO",
            "local_enable=YES",
            "write_enable=YES",
            "local_umask=022",
            `local_root=${setup.root}`,
            "pasv_enable=YES",
            `pasv_min_port=${setup.passive[0]}`,
            `pasv_max_port=${setup.passive[1]}`,
            `secure_chroot_dir=${empty}`,
            "pam_service_name=vsftpd", // not installed: PAM falls back to /etc/pam.d/other (pam_unix)
            "seccomp_sandbox=NO",
            "isolate=NO",
            "isolate_network=NO",
            "xferlog_enable=NO",
            "dirmessage_enable=NO",
            "max_clients=0",
            "max_per_ip=0",
            "idle_session_timeout=600",
            "",
          ].join("\n"),
        );
        return [which("vsftpd"), config];
      },
    },
    {
      name: "pure-ftpd",
      kind: "peer",
      user: "ftpib-pureftpd",
      unixUser: "ftpib-pureftpd",
      available: () => which("pure-ftpd") !== null,
      version: () => (spawnSync(which("pure-ftpd"), ["--help"], { encoding: "utf8" }).stdout.split("\n")[0] || "pure-ftpd").trim(),
      command: (setup) => [
        which("pure-ftpd"),
        "--bind", `127.0.0.1,${setup.port}`,
        "--passiveportrange", `${setup.passive[0]}:${setup.passive[1]}`,
        "--login", "unix",
        "--noanonymous",
        "--dontresolve",
        "--maxclientsnumber", "5000",
        "--maxclientsperip", "5000",
        "--limitrecursion", "20000:5", // LIST shows 2,000 entries by default
        "--maxidletime", "10",
        "--minuid", "1",
      ],
    },
    {
      name: "proftpd",
      kind: "peer",
      user: "ftpib-proftpd",
      unixUser: "ftpib-proftpd",
      available: () => which("proftpd") !== null && existsSync(PROFTPD_MODULES),
      version: () => spawnSync(which("proftpd"), ["-v"], { encoding: "utf8" }).stdout.trim(),
      command: (setup) => {
        const config = join(setup.dir, "proftpd.conf");
        writeFileSync(
          config,
          [
            `ModulePath ${PROFTPD_MODULES}`,
            'ServerName "bench"',
            "ServerType standalone",
            "DefaultServer on",
            "UseIPv6 off",
            `DefaultAddress 127.0.0.1`,
            "SocketBindTight on",
            `Port ${setup.port}`,
            `PassivePorts ${setup.passive[0]} ${setup.passive[1]}`,
            "User nobody",
            "Group nogroup",
            "MaxInstances 5000",
            "UseReverseDNS off",
            "DelayEngine off", // mod_delay pads USER/PASS against timing probes; measured without
            "AuthPAM off",
            "AuthOrder mod_auth_unix.c",
            "RequireValidShell off",
            "AllowOverwrite on",
            "Umask 022",
            "TimeoutIdle 600",
            "WtmpLog off",
            "TransferLog none",
            `PidFile ${join(setup.dir, "proftpd.pid")}`,
            `ScoreboardFile ${join(setup.dir, "proftpd.scoreboard")}`,
            `SystemLog ${join(setup.dir, "proftpd.syslog")}`,
            "",
          ].join("\n"),
        );
        return [which("proftpd"), "--nodaemon", "--config", config];
      },
    },
    {
      name: "pyftpdlib",
      kind: "peer",
      user: "bench",
      unixUser: null,
      available: () => spawnSync(PYTHON, ["-c", "import pyftpdlib"]).status === 0,
      version: () => {
        const out = (argv) => {
          const r = spawnSync(PYTHON, argv, { encoding: "utf8" });
          return `${r.stdout}${r.stderr}`.trim();
        };
        return `${out(["-m", "pyftpdlib", "--version"])} on ${out(["--version"])}`;
      },
      command: (setup) => [
        PYTHON, "-m", "pyftpdlib",
        "--interface", "127.0.0.1",
        "--port", String(setup.port),
        "--write",
        "--directory", setup.root,
        "--username", "bench",
        "--password", PASSWORD,
        "--range", `${setup.passive[0]}-${setup.passive[1]}`,
      ],
    },
  );
  return servers;
}

/**
 * Starts a server under `meter` (see accounting.mjs) and waits until it greets. Its output goes
 * to `dir/server.log`. Returns { pid, port, stop() }; stop() signals the process the bench
 * started (then, after 5 s, kills it), and kills any of its sessions still alive, each by PID.
 */
export async function startServer(definition, setup, meter) {
  const argv = meter.wrap(definition.command(setup));
  const logPath = join(setup.dir, "server.log");
  const log = openSync(logPath, "a");
  const child = spawn(argv[0], argv.slice(1), { cwd: setup.dir, stdio: ["ignore", log, log] });
  closeSync(log);
  meter.attach(child.pid);
  let exitCode = null;
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve((exitCode = code ?? signal))));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exitCode !== null) throw new Error(`${definition.name} exited (${exitCode}) before greeting:\n${readFileSync(logPath, "utf8").slice(-2000)}`);
    if (await greets(setup.port)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${definition.name} did not greet within 30 s:\n${readFileSync(logPath, "utf8").slice(-2000)}`);
    }
    await sleep(100);
  }
  return {
    pid: child.pid,
    port: setup.port,
    logPath,
    async stop() {
      if (exitCode !== null) return;
      const family = meter.pids().filter((pid) => pid !== child.pid).map((pid) => ({ pid, started: startTime(pid) }));
      child.kill("SIGTERM");
      const stopped = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
      if (!stopped) child.kill("SIGKILL");
      // Sessions of a forking server that outlived it: only if the PID is still the same process.
      for (const { pid, started } of family) {
        if (started === null || startTime(pid) !== started) continue;
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await exited;
    },
  };
}
