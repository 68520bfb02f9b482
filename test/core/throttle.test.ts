import { describe, expect, it } from "vitest";
import type { Limits } from "../../core/config/types.ts";
import { TokenBucket, TransferRates } from "../../core/data/throttle.ts";

describe("TokenBucket", () => {
  it("answers the wait that keeps reservations at the rate, after a 100 ms burst", () => {
    const bucket = new TokenBucket();
    // 1000 B/s: 100 bytes are due 100 ms after the previous ones.
    expect(bucket.reserve(100, 1000, 0)).toBe(0);
    expect(bucket.reserve(100, 1000, 0)).toBe(100);
    expect(bucket.reserve(100, 1000, 0)).toBe(200);
    // A caller that waited its turn is told to wait for the next one only.
    expect(bucket.reserve(100, 1000, 200)).toBe(100);
  });

  it("shared by two callers, paces their sum", () => {
    const bucket = new TokenBucket();
    let now = 0;
    for (let i = 0; i < 50; i++) {
      const a = bucket.reserve(500, 10_000, now);
      const b = bucket.reserve(500, 10_000, now);
      now += Math.max(a, b);
    }
    // 50 000 bytes at 10 000 B/s: 5 s, less the 100 ms burst.
    expect(now).toBeCloseTo(4900, 0);
  });

  it("an idle bucket does not save up beyond the burst, and rate 0 never waits", () => {
    const bucket = new TokenBucket();
    bucket.reserve(100, 1000, 0);
    expect(bucket.reserve(200, 1000, 60_000)).toBe(100);
    expect(bucket.reserve(1e9, 0, 60_000)).toBe(0);
  });
});

describe("TransferRates", () => {
  const limits = (over: Partial<Limits> = {}) => () => ({ maxUploadRate: 0, maxDownloadRate: 0, ...over }) as Limits;

  it("gives no throttle when neither the user nor the server has a limit", () => {
    expect(new TransferRates(limits()).throttleFor("alice", "download", () => 0)).toBeNull();
    expect(new TransferRates(limits({ maxUploadRate: 1000 })).throttleFor("alice", "download", () => 0)).toBeNull();
    expect(new TransferRates(limits({ maxUploadRate: 1000 })).throttleFor("alice", "upload", () => 0)).not.toBeNull();
  });

  it("slices about 50 ms at the slowest rate, between 1 KiB and 256 KiB", () => {
    const rates = new TransferRates(limits({ maxDownloadRate: 1024 * 1024 }));
    expect(rates.throttleFor("a", "download", () => 0)!.slice()).toBe(52_428);
    expect(rates.throttleFor("a", "download", () => 100)!.slice()).toBe(1024);
    expect(new TransferRates(limits({ maxDownloadRate: 1e9 })).throttleFor("a", "download", () => 0)!.slice()).toBe(256 * 1024);
  });
});
