import { describe, expect, it } from "vitest";
import { hashPassword, isPasswordHash, verifyPassword } from "../../core/auth/password.ts";

describe("password hashes", () => {
  it("hashes in the self-describing scrypt format", async () => {
    const hash = await hashPassword("correct horse battery staple");
    expect(hash).toMatch(/^\$scrypt\$ln=14,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(isPasswordHash(hash)).toBe(true);
    expect(hash).not.toContain("correct horse");
  });

  it("verifies the right password and rejects others", async () => {
    const hash = await hashPassword("s3cret!");
    expect(await verifyPassword("s3cret!", hash)).toBe(true);
    expect(await verifyPassword("s3cret", hash)).toBe(false);
    expect(await verifyPassword("S3cret!", hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it("salts: the same password hashes differently each time", async () => {
    const [a, b] = await Promise.all([hashPassword("same"), hashPassword("same")]);
    expect(a).not.toBe(b);
    expect(await verifyPassword("same", a)).toBe(true);
    expect(await verifyPassword("same", b)).toBe(true);
  });

  it("handles the empty password and unicode", async () => {
    const empty = await hashPassword("");
    expect(await verifyPassword("", empty)).toBe(true);
    expect(await verifyPassword(" ", empty)).toBe(false);
    const unicode = await hashPassword("pässwörd 🔑");
    expect(await verifyPassword("pässwörd 🔑", unicode)).toBe(true);
  });

  it("treats composed and decomposed accents as the same password", async () => {
    const hash = await hashPassword("caf\u00e9");
    expect(await verifyPassword("cafe\u0301", hash)).toBe(true);
  });

  it("checks hashes made with other parameters, as the format promises", async () => {
    // Cheaper parameters, padded base64: what a hash made by another tool may look like.
    const { scryptSync } = await import("node:crypto");
    const salt = Buffer.from("saltsaltsaltsalt");
    const key = scryptSync("password", salt, 32, { N: 1024, r: 8, p: 1 });
    const hash = `$scrypt$ln=10,r=8,p=1$${salt.toString("base64")}$${key.toString("base64")}`;
    expect(isPasswordHash(hash)).toBe(true);
    expect(await verifyPassword("password", hash)).toBe(true);
    expect(await verifyPassword("Password", hash)).toBe(false);
  });

  const malformed = [
    "",
    "password",
    "$scrypt$",
    "$scrypt$ln=14,r=8,p=1$",
    "$scrypt$ln=14,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$",
    "$scrypt$ln=14,r=8,p=1$$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
    "$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
    "$scrypt$ln=0,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "$scrypt$ln=40,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "$scrypt$ln=14,r=0,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "$scrypt$ln=14,r=8,p=99$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "$scrypt$ln=14,r=8,p=1$c2Fsd!!!$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "$scrypt$ln=14,r=8,p=1$c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "$scrypt$ln=14,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAA",
    "$scrypt$ln=14,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA$extra",
    " $scrypt$ln=14,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  ];

  it.each(malformed)("refuses the malformed hash %j without throwing", async (hash) => {
    expect(isPasswordHash(hash)).toBe(false);
    await expect(verifyPassword("password", hash)).resolves.toBe(false);
  });

  it("answers false for values that are not strings at all", async () => {
    expect(isPasswordHash(null as unknown as string)).toBe(false);
    await expect(verifyPassword("x", undefined as unknown as string)).resolves.toBe(false);
    await expect(verifyPassword(undefined as unknown as string, await hashPassword("x"))).resolves.toBe(false);
  });

  it("accepts a well-formed hash whose key is simply wrong", async () => {
    const hash = "$scrypt$ln=14,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    expect(isPasswordHash(hash)).toBe(true);
    expect(await verifyPassword("password", hash)).toBe(false);
  });
});
