// The plugin API is documented from its types: every name core/index.ts exports (what a plugin
// or an embedder may use) carries JSDoc with at least one @example.
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { REPO } from "../support/process.ts";

function undocumentedExports(): { noDoc: string[]; noExample: string[] } {
  const entry = path.join(REPO, "core", "index.ts");
  const program = ts.createProgram([entry], { allowImportingTsExtensions: true, noEmit: true, strict: true, module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, moduleResolution: ts.ModuleResolutionKind.Bundler });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  const noDoc: string[] = [];
  const noExample: string[] = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const docs = symbol.getDocumentationComment(checker);
    const tags = symbol.getJsDocTags(checker);
    if (docs.length === 0 && tags.length === 0) noDoc.push(exported.name);
    else if (!tags.some((t) => t.name === "example")) noExample.push(exported.name);
  }
  return { noDoc: noDoc.sort(), noExample: noExample.sort() };
}

describe("the public API's documentation", () => {
  it("every export of core/index.ts has JSDoc with an @example", { timeout: 60_000 }, () => {
    const { noDoc, noExample } = undocumentedExports();
    expect({ noDoc, noExample }).toEqual({ noDoc: [], noExample: [] });
  });
});
