// CPU time and memory of a server and every process it forks (Linux only).
//
// CPU: each server runs in a cgroup of its own made for the run (cgroup v1 `cpuacct`, else
// cgroup v2), entered by a shell that then execs the server, so every session process it ever
// forks is counted, exited or not, reaped or not: `cpuacct.usage` / `cpu.stat usage_usec`.
// Without a writable cgroup hierarchy the fallback is /proc: for every live process of the tree,
// utime + stime + cutime + cstime from /proc/PID/stat (cutime/cstime hold reaped children).
// That fallback misses sessions whose processes are never waited for by the tree: measured
// here, it sees ~90 % of vsftpd's and ~65 % of pure-ftpd's login-storm CPU; the JSON keeps both.
// Memory: Pss and Rss from /proc/PID/smaps_rollup, summed over the processes (the cgroup's, or
// the tree's): PSS splits pages a forked session shares with its parent, so the sum is what
// the server really costs.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from "node:fs";
import { join } from "node:path";

const TICKS_PER_SECOND = 100; // USER_HZ on every Linux the bench runs on

function readStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: fields start after the last ")".
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return {
      ppid: Number(fields[1]),
      utime: Number(fields[11]),
      stime: Number(fields[12]),
      cutime: Number(fields[13]),
      cstime: Number(fields[14]),
      startTime: fields[19],
    };
  } catch {
    return null; // exited meanwhile
  }
}

/** `root` and all its live descendants. */
export function processTree(root) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(entry));
    children.set(stat.ppid, list);
  }
  const tree = [];
  for (const queue = [root]; queue.length > 0; ) {
    const pid = queue.shift();
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** What tells this process from a later one that reuses its PID: its start time. */
export function startTime(pid) {
  return readStat(pid)?.startTime ?? null;
}

/** CPU seconds (user, system) the tree under `root` has used, reaped children included. */
export function cpuSeconds(root) {
  let user = 0;
  let system = 0;
  for (const pid of processTree(root)) {
    const stat = readStat(pid);
    if (!stat) continue;
    user += stat.utime + stat.cutime;
    system += stat.stime + stat.cstime;
  }
  return { user: user / TICKS_PER_SECOND, system: system / TICKS_PER_SECOND, total: (user + system) / TICKS_PER_SECOND };
}

/**
 * Summed Rss, Pss and Pss_Anon (bytes) of `pids`, and how many there are. Pss_Anon is the heap
 * and stacks; the rest is file-backed (the executable's and libraries' pages): clean, so the
 * kernel can drop it under pressure.
 */
export function memoryOf(pids) {
  let rss = 0;
  let pss = 0;
  let pssAnon = 0;
  for (const pid of pids) {
    try {
      const text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      rss += Number(/^Rss:\s+(\d+) kB/m.exec(text)?.[1] ?? 0) * 1024;
      pss += Number(/^Pss:\s+(\d+) kB/m.exec(text)?.[1] ?? 0) * 1024;
      pssAnon += Number(/^Pss_Anon:\s+(\d+) kB/m.exec(text)?.[1] ?? 0) * 1024;
    } catch {
      // exited meanwhile
    }
  }
  return { rss, pss, pssAnon, processes: pids.length };
}

/** Summed Rss and Pss (bytes) of the tree under `root`, and how many processes it has. */
export function memory(root) {
  return memoryOf(processTree(root));
}

/** A cgroup hierarchy that accounts CPU time and that we may make groups in, or null. */
function cgroupHierarchy() {
  const v1 = "/sys/fs/cgroup/cpuacct";
  if (existsSync(join(v1, "cpuacct.usage"))) return { dir: v1, usage: (g) => Number(readFileSync(join(g, "cpuacct.usage"), "utf8")) / 1e9 };
  for (const v2 of ["/sys/fs/cgroup/unified", "/sys/fs/cgroup"]) {
    if (existsSync(join(v2, "cgroup.controllers"))) {
      return { dir: v2, usage: (g) => Number(/^usage_usec (\d+)/m.exec(readFileSync(join(g, "cpu.stat"), "utf8"))[1]) / 1e6 };
    }
  }
  return null;
}

/**
 * Accounts one server. `wrap(argv)` is the command to start instead (it enters the cgroup,
 * then execs argv; argv itself when there is no cgroup); then `attach(pid)`.
 */
export function createMeter(name) {
  const hierarchy = cgroupHierarchy();
  let group = null;
  if (hierarchy) {
    try {
      group = join(hierarchy.dir, name);
      mkdirSync(group);
      hierarchy.usage(group);
    } catch {
      group = null;
    }
  }
  let root = null;
  return {
    method: group ? `cgroup (${group})` : "/proc process tree",
    wrap: (argv) => (group ? ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', group, ...argv] : argv),
    attach(pid) {
      root = pid;
    },
    /** CPU seconds since start: the cgroup's, and the /proc tree's for comparison. */
    cpu() {
      const tree = cpuSeconds(root).total;
      return { total: group ? hierarchy.usage(group) : tree, tree };
    },
    pids() {
      if (!group) return processTree(root);
      return readFileSync(join(group, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
    },
    memory() {
      return memoryOf(this.pids());
    },
    /** Removes the cgroup (it must be empty by then). */
    close() {
      if (!group) return;
      for (let i = 0; i < 50; i++) {
        try {
          rmdirSync(group);
          return;
        } catch {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100); // processes still leaving
        }
      }
    },
  };
}
