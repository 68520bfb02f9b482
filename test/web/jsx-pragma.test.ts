import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { REPO } from "../support/process.ts";

const PRAGMA = "/** @jsxRuntime automatic @jsxImportSource hono/jsx */";

function tsxFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : tsxFiles(full);
    return entry.name.endsWith(".tsx") ? [full] : [];
  });
}

// tsx and Bun find tsconfig.json from the working folder: started from anywhere else, a .tsx file
// without the pragma is compiled for React and ftpi fails to start ("react/jsx-dev-runtime").
it("every .tsx file names hono/jsx in its first line", () => {
  const files = ["core", "cli", "plugins", "web"].flatMap((dir) => tsxFiles(path.join(REPO, dir)));
  expect(files.length).toBeGreaterThan(0);
  const missing = files.filter((file) => readFileSync(file, "utf8").split("\n", 1)[0] !== PRAGMA).map((file) => path.relative(REPO, file));
  expect(missing).toEqual([]);
});
