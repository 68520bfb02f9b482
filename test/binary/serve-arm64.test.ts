import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arm64Runner, binaryInEmptyFolder, ensureBinaries } from "../support/binary.ts";
import { expectFtps, expectPluginDenial, expectPluginSiteVerb, expectStatusPage, roundTrip, serveBinary, type ServedBinary } from "./serve-checks.ts";

// Everything runs emulated: startup, scrypt and transfers are many times slower than native.
const EMULATED_MS = 60_000;

let server: ServedBinary | null = null;
let removeFolder = async () => {};

beforeAll(async () => {
  const runner = arm64Runner(); // fails first, with what to install, when qemu is missing
  ensureBinaries("linux-arm64");
  const { dir, binary, remove } = await binaryInEmptyFolder("linux-arm64");
  removeFolder = remove;
  server = await serveBinary([...runner, binary], dir, { timeoutMs: EMULATED_MS });
}, 240_000);

afterAll(async () => {
  if (server) expect(await server.ftpi.stop()).toBe(0);
  await removeFolder();
}, EMULATED_MS);

describe("dist/ftpi-linux-arm64 under qemu-aarch64 (Cortex-A53)", () => {
  it("serves a login + STOR + LIST + RETR round trip", { timeout: 2 * EMULATED_MS }, async () => {
    await roundTrip(server!, 1024 * 1024 + 17, EMULATED_MS / 2);
  });

  it("speaks FTPS with the certificate it made on first start", { timeout: EMULATED_MS }, async () => {
    await expectFtps(server!, EMULATED_MS / 2);
  });

  it("loads ./hello.ts from beside it: the plugin's login denial and SITE verb work", { timeout: EMULATED_MS }, async () => {
    await expectPluginDenial(server!, EMULATED_MS / 2);
    await expectPluginSiteVerb(server!, EMULATED_MS / 2);
  });

  it("serves the status page: login form, embedded assets, form login, overview, sessions, /api", { timeout: 2 * EMULATED_MS }, async () => {
    await expectStatusPage(server!, EMULATED_MS / 2);
  });
});
