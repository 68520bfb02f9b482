// Reply codes are named (core/codes.ts), and the handlers use the names.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Code } from "../../core/codes.ts";
import { REPO } from "../support/process.ts";

/** The codes of RFC 959 §4.2.2's list, as the project's seed document lists them. */
const SEED_CODES = [
  110, 120, 125, 150, 200, 202, 211, 212, 213, 214, 215, 220, 221, 225, 226, 227, 230, 250, 257, 331, 332, 350, 421, 425, 426,
  450, 451, 452, 500, 501, 502, 503, 504, 530, 532, 550, 551, 552, 553,
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : [],
  );
}

describe("reply codes", () => {
  it("every code of RFC 959's list has a name", () => {
    const named = new Set<number>(Object.values(Code));
    expect(SEED_CODES.filter((c) => !named.has(c))).toEqual([]);
  });

  it("the protocol code replies by name, never by a bare number", () => {
    const bare: string[] = [];
    for (const file of sources(path.join(REPO, "core"))) {
      if (file.endsWith("codes.ts") || file.includes(`${path.sep}config${path.sep}`)) continue;
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (/^\s*(\*|\/\/)/.test(line)) return; // comments and JSDoc examples
          if (/(reply\(|code: |Error\([^)]*, )[1-5]\d\d\b/.test(line)) bare.push(`${path.relative(REPO, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(bare).toEqual([]);
  });
});
