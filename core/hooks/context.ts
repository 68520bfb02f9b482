import path from "node:path";
import * as v from "valibot";
import type { ConfigProblem } from "../config/problems.ts";
import type { Logger } from "../log/logger.ts";
import type { PluginHost } from "./host.ts";
import { jsonStateStore } from "./state.ts";
import type { PluginContext, ReadOnlyFiles, ServerView } from "./types.ts";

export interface ContextDeps {
  host: PluginHost;
  log: Logger;
  dataDir: string;
  files(account: string): ReadOnlyFiles | null;
  server: ServerView;
  /** Collects setup-time problems (duplicate SITE verbs, ...). */
  problems: ConfigProblem[];
}

/** The `ctx` a plugin's setup() receives; everything it registers is owned by the host. */
export function makePluginContext<O>(name: string, options: O, deps: ContextDeps): PluginContext<O> {
  const { host } = deps;
  const log = deps.log.child({ plugin: name });
  return {
    name,
    options,
    log,
    v,
    state<T>(key = "state") {
      if (!/^[a-z0-9_-]+$/i.test(key)) throw new Error(`state key "${key}" must be letters, digits, - or _`);
      return jsonStateStore<T>(path.join(deps.dataDir, "plugins", name, `${key}.json`));
    },
    files: deps.files,
    site(verb, help, handler) {
      const upper = verb.toUpperCase();
      if (!/^[A-Z][A-Z0-9]{0,15}$/.test(upper) || upper === "HELP") {
        deps.problems.push({ path: `plugins.${name}`, message: `SITE verb "${verb}" is not allowed` });
        return;
      }
      const taken = host.siteCommands.get(upper);
      if (taken) {
        deps.problems.push({ path: `plugins.${name}`, message: `SITE ${upper} is already added by plugin "${taken.plugin}"` });
        return;
      }
      host.siteCommands.set(upper, { plugin: name, verb: upper, help, handler });
    },
    web(mount) {
      host.webMounts.push({ plugin: name, mount });
    },
    every(ms, task) {
      host.every(name, ms, task);
    },
    onClose(task) {
      host.onClose(name, task);
    },
    expose(api) {
      host.apis.set(name, api);
    },
    use<T>(plugin: string) {
      return host.apis.get(plugin) as T | undefined;
    },
    server: deps.server,
  };
}
