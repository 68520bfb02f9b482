import { execFile } from "node:child_process";
import net from "node:net";
import { writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ControlClient, connectData, readAll } from "../support/control.ts";
import { account, startServer, type TestServer } from "../support/server.ts";

let t: TestServer;
const BIG = 64 * 1024 * 1024;

beforeAll(async () => {
  t = await startServer({ accounts: async (root) => [await account("alice", root), await account("fxp", root, { fxp: true })], options: { limits: { maxClients: 50, maxSessionsPerIp: 20, maxSessionsPerUser: 0, loginTimeoutMs: 30_000, idleTimeoutMs: 60_000, maxLoginFailures: 3, passiveTimeoutMs: 1500, dataTimeoutMs: 300_000, maxUploadRate: 0, maxDownloadRate: 0, maxHashSize: 4 * 1024 ** 3 } } });
  await writeFile(path.join(t.root, "big.bin"), Buffer.alloc(BIG, 7));
});
afterAll(() => t.close());

async function client(user = "alice"): Promise<ControlClient> {
  const c = await ControlClient.connect(t.port);
  await c.login(user);
  await c.send("TYPE I");
  return c;
}

describe("a running transfer", () => {
  it("answers STAT and NOOP while it runs, and ABOR gives 426 then 226", async () => {
    const c = await client();
    const data = await c.pasv();
    data.pause(); // the client stops reading: the server must wait, not buffer the file
    expect((await c.send("RETR big.bin")).code).toBe(150);
    await new Promise((r) => setTimeout(r, 200));
    const stat = await c.send("STAT");
    expect(stat.code).toBe(213);
    expect(stat.text).toMatch(/Transferring \/big\.bin: \d+ bytes of 67108864/);
    expect((await c.send("NOOP")).code).toBe(200);
    c.write("ABOR\r\n");
    expect((await c.read()).code).toBe(426);
    expect((await c.read()).code).toBe(226);
    data.destroy();
    expect((await c.send("NOOP")).code).toBe(200);
    c.close();
  });

  it("hears an ABOR preceded by Telnet IP and Synch", async () => {
    const c = await client();
    const data = await c.pasv();
    data.pause();
    expect((await c.send("RETR big.bin")).code).toBe(150);
    c.write(Buffer.concat([Buffer.from([0xff, 0xf4, 0xff, 0xf2]), Buffer.from("ABOR\r\n")]));
    expect((await c.read()).code).toBe(426);
    expect((await c.read()).code).toBe(226);
    data.destroy();
    c.close();
  });

  it("hears an ABOR sent the RFC 959 §4.1.3 way: IAC IP, then IAC + DM as TCP urgent data (from Python)", async () => {
    // Node cannot send MSG_OOB; Python's socket can. The script logs in, starts a RETR it does
    // not read, aborts, and prints the replies it got after the 150 as JSON.
    const script = `
import json, re, socket, sys
port = int(sys.argv[1])
c = socket.create_connection(("127.0.0.1", port))
f = c.makefile("rb")
def reply():
    line = f.readline().decode()
    code = line[:3]
    while not line.startswith(code + " "):
        line = f.readline().decode()
    return line.strip()
reply()
for cmd in ["USER alice", "PASS secret", "TYPE I"]:
    c.sendall((cmd + "\\r\\n").encode()); reply()
c.sendall(b"PASV\\r\\n")
m = re.search(r"\\((\\d+),(\\d+),(\\d+),(\\d+),(\\d+),(\\d+)\\)", reply())
data = socket.create_connection(("127.0.0.1", int(m.group(5)) * 256 + int(m.group(6))))
data.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
c.sendall(b"RETR big.bin\\r\\n")
got = [reply()]
c.send(b"\\xff\\xf4\\xff")
c.send(b"\\xf2", socket.MSG_OOB)
c.sendall(b"ABOR\\r\\n")
got.append(reply())
got.append(reply())
data.close()
c.sendall(b"NOOP\\r\\n")
got.append(reply())
print(json.dumps(got))
`;
    const { stdout } = await promisify(execFile)("python3", ["-c", script, String(t.port)], { timeout: 20_000 });
    const replies = JSON.parse(stdout) as string[];
    expect(replies.map((r) => r.slice(0, 3))).toEqual(["150", "426", "226", "200"]);
  });

  it("ABOR with no transfer is 225; commands sent during a transfer wait their turn", async () => {
    const c = await client();
    expect((await c.send("ABOR")).code).toBe(225);
    const data = await c.pasv();
    const body = readAll(data);
    c.write("RETR big.bin\r\nPWD\r\n");
    expect((await c.read()).code).toBe(150);
    expect((await c.read()).code).toBe(226);
    expect((await c.read()).code).toBe(257);
    expect((await body).length).toBe(BIG);
    c.close();
  });

  it("a client that drops the data connection gets 426 and keeps its session", async () => {
    const c = await client();
    const data = await c.pasv();
    expect((await c.send("RETR big.bin")).code).toBe(150);
    data.destroy();
    expect((await c.read()).code).toBe(426);
    expect((await c.send("PWD")).code).toBe(257);
    c.close();
  });
});

describe("data connection security", () => {
  it("refuses PORT/EPRT to another address and to privileged ports (FTP bounce)", async () => {
    const c = await client();
    expect((await c.send("PORT 10,0,0,1,200,10")).code).toBe(504);
    expect((await c.send("PORT 127,0,0,1,0,21")).code).toBe(504);
    expect((await c.send("EPRT |1|192.0.2.1|5000|")).code).toBe(504);
    expect((await c.send("EPRT |1|127.0.0.1|80|")).code).toBe(504);
    expect((await c.send("EPRT |3|x|5000|")).code).toBe(522);
    expect((await c.send("EPRT garbage")).code).toBe(501);
    expect((await c.send("PORT 1,2,3")).code).toBe(501);
    c.close();
  });

  it("refuses PORT/EPRT to a third address on loopback for a user without fxp", async () => {
    const c = await client();
    expect((await c.send("PORT 127,0,0,2,200,10")).text).toBe("504 Refusing to connect to an address other than yours.");
    expect((await c.send("EPRT |1|127.0.0.2|51210|")).code).toBe(504);
    // Nothing was set up: a transfer has no data connection to use.
    expect((await c.send("RETR big.bin")).code).toBe(425);
    c.close();
  });

  it("lets a user with fxp point PORT and EPRT at a third address (server-to-server) and sends there", async () => {
    const c = await client("fxp");
    await writeFile(path.join(t.root, "fxp.txt"), "to the other server");
    for (const command of ["PORT", "EPRT"] as const) {
      const received = new Promise<{ text: string; from: string }>((resolve) => {
        const srv = net.createServer((sock) => void readAll(sock).then((b) => (srv.close(), resolve({ text: b.toString(), from: sock.remoteAddress ?? "" }))));
        srv.listen(0, "127.0.0.2", async () => {
          const port = (srv.address() as net.AddressInfo).port;
          const arg = command === "PORT" ? `127,0,0,2,${port >> 8},${port & 255}` : `|1|127.0.0.2|${port}|`;
          expect((await c.send(`${command} ${arg}`)).code).toBe(200);
          expect((await c.send("RETR fxp.txt")).code).toBe(150);
        });
      });
      expect((await received).text).toBe("to the other server");
      expect((await c.read()).code).toBe(226);
    }
    // fxp lifts the third-address rule only: privileged ports stay refused.
    expect((await c.send("PORT 127,0,0,2,0,21")).code).toBe(504);
    c.close();
  });

  it("lets a third address make the passive data connection for a user with fxp", async () => {
    const c = await client("fxp");
    await writeFile(path.join(t.root, "fxp.txt"), "to the other server");
    const r = await c.send("PASV");
    const m = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(r.text)!;
    const other = net.connect({ host: "127.0.0.1", port: Number(m[5]) * 256 + Number(m[6]), localAddress: "127.0.0.2" });
    other.on("error", () => {});
    const body = readAll(other).catch(() => Buffer.alloc(0));
    await new Promise((resolve) => other.once("connect", resolve));
    const answer = await c.send("RETR fxp.txt");
    c.close();
    expect(answer.code).toBe(150);
    expect((await body).toString()).toBe("to the other server");
  });

  it("drops a passive data connection from an address other than the control peer", async () => {
    const c = await client();
    const r = await c.send("PASV");
    const m = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(r.text)!;
    const port = Number(m[5]) * 256 + Number(m[6]);
    const thief = net.connect({ host: "127.0.0.1", port, localAddress: "127.0.0.2" });
    const thiefClosed = new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      thief.on("data", (d) => chunks.push(d));
      thief.on("close", () => resolve(Buffer.concat(chunks)));
      thief.on("error", () => {});
    });
    expect((await thiefClosed).length).toBe(0);
    const good = await connectData("127.0.0.1", port);
    const body = readAll(good);
    expect((await c.send("RETR big.bin")).code).toBe(150);
    expect((await c.read()).code).toBe(226);
    expect((await body).length).toBe(BIG);
    c.close();
  });

  it("answers 425 to RETR and LIST when only a foreign address connected, once the passive timeout (1.5 s here) runs out", async () => {
    const c = await client();
    for (const command of ["RETR big.bin", "LIST"]) {
      const r = await c.send("PASV");
      const m = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(r.text)!;
      const port = Number(m[5]) * 256 + Number(m[6]);
      const rejectedBefore = t.logs.filter((l) => l.includes("data connection from a foreign address refused")).length;
      const thief = net.connect({ host: "127.0.0.1", port, localAddress: "127.0.0.2" });
      thief.on("error", () => {});
      await new Promise((resolve) => thief.on("close", resolve));
      expect(t.logs.filter((l) => l.includes("data connection from a foreign address refused")).length).toBe(rejectedBefore + 1);
      const started = Date.now();
      const answer = await c.send(command);
      const took = Date.now() - started;
      expect(answer.code, `${command}: ${answer.text}`).toBe(425);
      // The wait is the passive timeout (counted from the PASV), not a fixed 30 s.
      expect(took).toBeLessThan(1500 + 1000);
    }
    expect((await c.send("NOOP")).code).toBe(200);
    c.close();
  });

  it("closes an unused passive listener after the timeout, so its port returns to the pool", async () => {
    const c = await client();
    const r = await c.send("EPSV");
    const port = Number(/\|\|\|(\d+)\|/.exec(r.text)![1]);
    expect(t.server.pool.used).toBeGreaterThan(0);
    await new Promise((res) => setTimeout(res, 2000));
    expect(t.server.pool.used).toBe(0);
    await expect(connectData("127.0.0.1", port)).rejects.toThrow();
    expect((await c.send("RETR big.bin")).code).toBe(425);
    c.close();
  });

  it("EPSV ALL refuses PASV, PORT and EPRT afterwards", async () => {
    const c = await client();
    expect((await c.send("EPSV ALL")).code).toBe(200);
    expect((await c.send("PASV")).code).toBe(503);
    expect((await c.send("PORT 127,0,0,1,200,10")).code).toBe(503);
    expect((await c.send("EPSV 2")).code).toBe(522);
    const data = await c.epsv();
    const body = readAll(data);
    expect((await c.send("NLST")).code).toBe(150);
    expect((await c.read()).code).toBe(226);
    expect((await body).toString()).toContain("big.bin");
    c.close();
  });
});

describe("the passive port a session keeps between transfers", () => {
  const epsvPort = async (c: ControlClient) => {
    const r = await c.send("EPSV");
    expect(r.code).toBe(229);
    return Number(/\|\|\|(\d+)\|/.exec(r.text)![1]);
  };
  /** Connects to the offered `port` and fetches small.txt through it. */
  const retrieveSmall = async (c: ControlClient, port: number) => {
    const data = await connectData("127.0.0.1", port);
    const body = readAll(data);
    expect((await c.send("RETR small.txt")).code).toBe(150);
    expect((await c.read()).code).toBe(226);
    expect((await body).toString()).toBe("small file\n");
  };
  /** EPSV, connect, RETR small.txt; the port the offer used. */
  const fetchSmall = async (c: ControlClient) => {
    const port = await epsvPort(c);
    await retrieveSmall(c, port);
    return port;
  };

  beforeAll(() => writeFile(path.join(t.root, "small.txt"), "small file\n"));

  it("offers the same port for the next transfer, and drops connections made while no offer waits", async () => {
    const c = await client();
    const first = await fetchSmall(c);
    // Nothing is offered now: a connection to the kept port is closed at once, and gets no data.
    const stray = await connectData("127.0.0.1", first);
    stray.on("error", () => {});
    expect((await readAll(stray).catch(() => Buffer.alloc(0))).length).toBe(0);
    expect(await fetchSmall(c)).toBe(first);
    expect(await fetchSmall(c)).toBe(first);
    c.close();
  });

  it("keeps refusing a foreign address on a kept port", async () => {
    const c = await client();
    const port = await fetchSmall(c);
    expect(await epsvPort(c)).toBe(port);
    const thief = net.connect({ host: "127.0.0.1", port, localAddress: "127.0.0.2" });
    thief.on("error", () => {});
    const stolen = await readAll(thief).catch(() => Buffer.alloc(0));
    expect(stolen.length).toBe(0);
    await retrieveSmall(c, port);
    c.close();
  });

  it("gives the port back to the pool when the session ends, or a few seconds after its last use", async () => {
    // Ports the tests before kept are given back first.
    await vi.waitFor(() => expect(t.server.pool.keptCount).toBe(0), { timeout: 5000, interval: 100 });
    const c = await client();
    await fetchSmall(c);
    expect(t.server.pool.keptCount).toBe(1);
    expect(t.server.pool.used).toBe(0); // kept, but free for any offer
    c.close();
    await vi.waitFor(() => expect(t.server.pool.keptCount).toBe(0), { timeout: 2000, interval: 20 });

    const d = await client();
    const port = await fetchSmall(d);
    expect(t.server.pool.keptCount).toBe(1);
    await vi.waitFor(() => expect(t.server.pool.keptCount).toBe(0), { timeout: 5000, interval: 100 });
    await expect(connectData("127.0.0.1", port)).rejects.toThrow();
    // The session simply opens a new port for its next transfer.
    await fetchSmall(d);
    d.close();
  });

  it("closes kept ports when the passive range runs out, so another session still gets one", async () => {
    const narrow = await startServer({ options: { passivePorts: { min: t.server.pool.max + 1, max: t.server.pool.max + 1 } } });
    try {
      await writeFile(path.join(narrow.root, "small.txt"), "small file\n");
      const connect = async () => {
        const c = await ControlClient.connect(narrow.port);
        await c.login("alice");
        await c.send("TYPE I");
        return c;
      };
      const [a, b] = [await connect(), await connect()];
      const port = await fetchSmall(a); // a keeps the only port
      expect(await fetchSmall(b)).toBe(port); // b gets it all the same
      // Now b keeps it, and a finds the range in use by b's kept port: taken back for a.
      expect(await fetchSmall(a)).toBe(port);
      a.close();
      b.close();
    } finally {
      await narrow.close();
    }
  });
});
