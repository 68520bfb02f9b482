// Concurrent identical logins share one scrypt: counted through the password module.
import { describe, expect, it, vi } from "vitest";

const calls = vi.hoisted(() => ({ verify: 0 }));
vi.mock("../../core/auth/password.ts", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../core/auth/password.ts")>();
  return {
    ...real,
    verifyPassword: (password: string, hash: string) => {
      calls.verify++;
      return real.verifyPassword(password, hash);
    },
  };
});

const { hashPassword } = await import("../../core/auth/password.ts");
const { VerifiedLogins } = await import("../../core/auth/verified-logins.ts");

describe("VerifiedLogins under a login storm", () => {
  it("runs one scrypt for many identical logins at once, and still refuses the wrong ones", async () => {
    const hash = await hashPassword("right");
    const logins = new VerifiedLogins();
    calls.verify = 0;
    const results = await Promise.all([
      ...Array.from({ length: 50 }, () => logins.verify("alice", "right", hash)),
      ...Array.from({ length: 50 }, () => logins.verify("alice", "wrong", hash)),
    ]);
    expect(results.slice(0, 50).every((r) => r === true)).toBe(true);
    expect(results.slice(50)).toEqual(Array(50).fill(false));
    // One scrypt for the right password, one for the wrong one.
    expect(calls.verify).toBe(2);
    // A failure is not remembered: the wrong password is checked again next time.
    expect(await logins.verify("alice", "wrong", hash)).toBe(false);
    expect(calls.verify).toBe(3);
  });
});
