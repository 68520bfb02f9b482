import { describe, expect, it } from "vitest";
import { hashPassword } from "../../core/auth/password.ts";
import { VerifiedLogins } from "../../core/auth/verified-logins.ts";

describe("VerifiedLogins", () => {
  it("answers a repeated good login from memory and never accepts a wrong password", async () => {
    const hash = await hashPassword("right");
    const logins = new VerifiedLogins();
    let t = performance.now();
    expect(await logins.verify("alice", "right", hash)).toBe(true);
    const first = performance.now() - t;
    t = performance.now();
    for (let i = 0; i < 20; i++) expect(await logins.verify("alice", "right", hash)).toBe(true);
    const twenty = performance.now() - t;
    // Twenty cached checks cost less than the one real scrypt.
    expect(twenty).toBeLessThan(first);
    expect(await logins.verify("alice", "wrong", hash)).toBe(false);
    expect(await logins.verify("bob", "right", hash)).toBe(true); // same hash, other name: verified by scrypt
  });

  it("forgets a login when the stored hash changes (a new password)", async () => {
    const logins = new VerifiedLogins();
    const old = await hashPassword("right");
    expect(await logins.verify("alice", "right", old)).toBe(true);
    const changed = await hashPassword("new one");
    expect(await logins.verify("alice", "right", changed)).toBe(false);
    expect(await logins.verify("alice", "new one", changed)).toBe(true);
  });
});
