// The physical limits on this machine, measured in the same run as the servers:
// - loopback TCP into the bench's own client (the same `onread` receive path the FTP client
//   uses), from a Node sender writing one reused buffer, and from a Python `os.sendfile`
//   sender (what a sendfile server could do at best);
// - reading the big file from the page cache (`dd bs=1M`, a plain read loop in C).
import { spawn, spawnSync } from "node:child_process";
import { receiveAll } from "./client.mjs";

const MB = 1e6;

/** Starts `argv`, which prints its listening port on its first stdout line. */
function startSender(argv) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve({ child, port: Number(out.trim()) });
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${argv[0]} exited with ${code}`)));
  });
}

const NODE_SENDER = `
const net = require("node:net");
const total = Number(process.argv[1]);
const chunk = Buffer.alloc(1 << 20, 0x5a);
const server = net.createServer((socket) => {
  let left = total;
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      left -= n;
      if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void socket.once("drain", pump);
    }
    socket.end(() => server.close());
  };
  pump();
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

const PYTHON_SENDFILE = `
import os, socket, sys
path = sys.argv[1]
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
with open(path, "rb") as f:
    size = os.fstat(f.fileno()).st_size; off = 0
    while off < size:
        off += os.sendfile(conn.fileno(), f.fileno(), off, size - off)
conn.close()
`;

async function timedReceive(argv, bytes, timeoutMs) {
  const { child, port } = await startSender(argv);
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  try {
    const t0 = process.hrtime.bigint();
    await receiveAll(port, bytes);
    return bytes / MB / (Number(process.hrtime.bigint() - t0) / 1e9);
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null) child.kill();
  }
}

export const LIMITS = [
  {
    id: "tcp-node",
    title: "loopback TCP, Node sender → bench client",
    available: () => true,
    run: (s) => timedReceive([process.execPath, "-e", NODE_SENDER, String(s.bigBytes)], s.bigBytes, 60_000),
  },
  {
    id: "tcp-sendfile",
    title: "loopback TCP, sendfile(2) of the big file → bench client",
    available: () => spawnSync("/usr/bin/python3", ["-c", "pass"]).status === 0,
    run: (s) => timedReceive(["/usr/bin/python3", "-c", PYTHON_SENDFILE, s.bigPath], s.bigBytes, 60_000),
  },
  {
    id: "page-cache",
    title: "page-cache read of the big file (dd bs=1M)",
    available: () => spawnSync("dd", ["--version"]).status === 0,
    async run(s) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync("dd", [`if=${s.bigPath}`, "of=/dev/null", "bs=1M"], { timeout: 60_000 });
      if (r.status !== 0) throw new Error(`dd: ${r.stderr}`);
      return s.bigBytes / MB / (Number(process.hrtime.bigint() - t0) / 1e9);
    },
  },
];
