import net from "node:net";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ControlClient, connectData, readAll } from "../support/control.ts";
import { startServer, type TestServer } from "../support/server.ts";

let t: TestServer;
const BIG = 64 * 1024 * 1024;

beforeAll(async () => {
  t = await startServer({ options: { limits: { maxClients: 50, maxSessionsPerIp: 20, maxSessionsPerUser: 0, loginTimeoutMs: 30_000, idleTimeoutMs: 60_000, maxLoginFailures: 3, passiveTimeoutMs: 1500, dataTimeoutMs: 300_000, maxUploadRate: 0, maxDownloadRate: 0, maxHashSize: 4 * 1024 ** 3 } } });
  await writeFile(path.join(t.root, "big.bin"), Buffer.alloc(BIG, 7));
});
afterAll(() => t.close());

async function client(): Promise<ControlClient> {
  const c = await ControlClient.connect(t.port);
  await c.login();
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
