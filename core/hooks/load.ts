import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import * as v from "valibot";
import type { ConfigProblem } from "../config/problems.ts";
import type { PluginSpec } from "../config/types.ts";
import { GUARD_HOOKS, LISTENER_HOOKS, type Plugin } from "./types.ts";

const KNOWN_KEYS = new Set<string>(["name", "options", "order", "failClosed", "dependsOn", "setup", ...GUARD_HOOKS, ...LISTENER_HOOKS]);

export interface LoadedPlugin {
  plugin: Plugin;
  options: unknown;
  spec: PluginSpec;
  /** Where the plugin was named (the plugins: entry of the config file), for its setup problems. */
  at: Pick<ConfigProblem, "file" | "line" | "col" | "path">;
  /** Its options are valid and the plugins it depends on are loaded and clean: its setup may run. */
  clean: boolean;
}

function where(spec: PluginSpec, index: number): Pick<ConfigProblem, "file" | "line" | "col" | "path"> {
  const m = spec.source ? /^(.*):(\d+):(\d+)$/.exec(spec.source) : null;
  return m ? { file: m[1], line: Number(m[2]), col: Number(m[3]), path: `plugins.${index}` } : { path: `plugins.${index}` };
}

/**
 * Imports every plugin the config names — built-ins from the registry the caller passes, user
 * plugins from their path (.ts or .js; Bun, Deno and tsx import TypeScript directly) — and
 * checks each one: its shape, its hook names (the list is closed), its options against its own
 * schema, and its declared dependencies. Every problem is collected; nothing throws.
 */
export async function loadPlugins(specs: PluginSpec[], builtins: Record<string, Plugin>): Promise<{ loaded: LoadedPlugin[]; problems: ConfigProblem[] }> {
  const problems: ConfigProblem[] = [];
  const loaded: LoadedPlugin[] = [];
  for (const [index, spec] of specs.entries()) {
    const at = where(spec, index);
    let plugin: unknown;
    if (spec.name !== null) {
      plugin = Object.hasOwn(builtins, spec.name) ? builtins[spec.name] : undefined;
      if (!plugin) {
        problems.push({ ...at, message: `no built-in plugin "${spec.name}" (built-ins: ${Object.keys(builtins).join(", ") || "none"})` });
        continue;
      }
    } else {
      const file = spec.path!;
      try {
        const mod = await import(pathToFileURL(path.resolve(file)).href);
        plugin = mod.default ?? mod.plugin;
      } catch (err) {
        problems.push({ ...at, message: `cannot load plugin ${file}: ${importFailure(file, err)}` });
        continue;
      }
    }
    const shapeProblems = checkShape(plugin);
    if (shapeProblems.length) {
      for (const message of shapeProblems) problems.push({ ...at, message });
      continue;
    }
    const p = plugin as Plugin;
    const before = problems.length;
    const options = validateOptions(p, spec.options, at, problems);
    if (loaded.some((l) => l.plugin.name === p.name)) {
      problems.push({ ...at, message: `plugin "${p.name}" is loaded twice` });
      continue;
    }
    loaded.push({ plugin: p, options, spec, at, clean: problems.length === before });
  }
  const byName = new Map(loaded.map((l) => [l.plugin.name, l]));
  for (const l of loaded) {
    for (const dep of l.plugin.dependsOn ?? []) {
      if (byName.has(dep)) continue;
      problems.push({ ...l.at, message: `plugin "${l.plugin.name}" needs plugin "${dep}", which is not loaded` });
      l.clean = false;
    }
  }
  // A plugin whose dependency cannot be set up is not set up either (its setup would fail on it).
  for (let changed = true; changed; ) {
    changed = false;
    for (const l of loaded) {
      if (l.clean && (l.plugin.dependsOn ?? []).some((dep) => !byName.get(dep)?.clean)) {
        l.clean = false;
        changed = true;
      }
    }
  }
  return { loaded, problems };
}

/**
 * Why a plugin file did not import, pointing at the fix. The usual cause is a value import of a
 * package: the compiled executable has no node_modules to find it in, so plugins get what they
 * need from the host instead.
 */
function importFailure(file: string, err: unknown): string {
  if (!existsSync(file)) return "no such file";
  const lines = err instanceof Error ? err.message.split("\n") : [String(err)];
  // tsx (esbuild) puts the syntax error on the line after "Transform failed with 1 error:".
  const message = (/^Transform failed with \d+ errors?:$/.test(lines[0]!) && lines[1] ? lines[1].replace(/: ERROR: /, ": ") : lines[0])!;
  // Node/Bun: Cannot find package|module 'x'; Deno: Import "x" not a dependency.
  const bare = /(?:Cannot find (?:package|module)|Import) ['"]([^'"./][^'"]*)['"]/.exec(message);
  if (!bare) return message;
  return `it imports "${bare[1]}", which cannot be found; a plugin file should only "import type" (valibot is ctx.v, or write options: (v) => v.object({...}))`;
}

function checkShape(plugin: unknown): string[] {
  if (typeof plugin !== "object" || plugin === null) return ["a plugin module must export default definePlugin({ name, ... })"];
  const p = plugin as Record<string, unknown>;
  const out: string[] = [];
  if (typeof p.name !== "string" || !/^[a-z0-9][a-z0-9-]*$/.test(p.name)) out.push("a plugin needs a name of lower-case letters, digits and dashes");
  for (const key of Object.keys(p)) {
    if (!KNOWN_KEYS.has(key)) out.push(`plugin "${String(p.name)}": unknown key "${key}"${key.startsWith("on") ? ` (hooks: ${[...GUARD_HOOKS, ...LISTENER_HOOKS].join(", ")})` : ""}`);
  }
  for (const hook of [...GUARD_HOOKS, ...LISTENER_HOOKS, "setup"]) {
    if (p[hook] !== undefined && typeof p[hook] !== "function") out.push(`plugin "${String(p.name)}": ${hook} must be a function`);
  }
  if (p.order !== undefined && p.order !== "pre" && p.order !== "post") out.push(`plugin "${String(p.name)}": order must be "pre" or "post"`);
  return out;
}

export function validateOptions(p: Plugin, raw: unknown, at: Pick<ConfigProblem, "file" | "line" | "col" | "path">, problems: ConfigProblem[]): unknown {
  if (p.options === undefined) return raw ?? {};
  const schema = (typeof p.options === "function" ? (p.options as (vv: typeof v) => unknown)(v) : p.options) as v.GenericSchema;
  const result = v.safeParse(schema, raw ?? {});
  if (result.success) return result.output;
  for (const issue of result.issues) {
    const sub = issue.path?.map((x) => String(x.key)).join(".");
    problems.push({ ...at, path: `${at.path}.options${sub ? `.${sub}` : ""}`, message: issue.message });
  }
  return undefined;
}
