import { readdir } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binaryInEmptyFolder, ensureBinaries } from "../support/binary.ts";
import { expectCurlFtpsFiles, expectFtps, expectPluginDenial, expectPluginSiteVerb, expectStatusPage, roundTrip, serveBinary, type ServedBinary } from "./serve-checks.ts";

let server: ServedBinary | null = null;
let removeFolder = async () => {};

beforeAll(async () => {
  ensureBinaries("linux-x64");
  const { dir, binary, remove } = await binaryInEmptyFolder("linux-x64");
  removeFolder = remove;
  expect(await readdir(dir)).toEqual(["ftpi-linux-x64"]);
  server = await serveBinary([binary], dir, { timeoutMs: 20_000 });
}, 180_000);

afterAll(async () => {
  if (server) expect(await server.ftpi.stop()).toBe(0);
  await removeFolder();
});

describe("dist/ftpi-linux-x64 alone in an empty folder", () => {
  it("serves a login + STOR + LIST + RETR round trip with basic-ftp", async () => {
    await roundTrip(server!, 3 * 1024 * 1024 + 17, 10_000);
  });

  it("speaks FTPS with the certificate it made on first start", async () => {
    await expectFtps(server!, 10_000);
  });

  it("gives curl several files over one FTPS connection under TLS 1.3 (each resumed data connection gets a new ticket)", async () => {
    await expectCurlFtpsFiles(server!);
  });

  it("loads ./hello.ts from beside it: the plugin's login denial and SITE verb work", async () => {
    await expectPluginDenial(server!, 10_000);
    await expectPluginSiteVerb(server!, 10_000);
  });

  it("serves the status page: login form, embedded assets, form login, overview, sessions, /api; and prints the startup block", async () => {
    await expectStatusPage(server!, 10_000);
    expect(server!.ftpi.output()).toMatch(/ftpi \d+\.\d+\.\d+ is running/);
    expect(server!.ftpi.output()).toContain(`Listening    127.0.0.1:${server!.port}`);
  });
});
