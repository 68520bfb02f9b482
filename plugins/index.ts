import type { Plugin } from "../core/index.ts";
import autoban from "./autoban/index.ts";
import ddns from "./ddns/index.ts";
import hitOMeter from "./hit-o-meter/index.ts";
import ubbExport from "./ubb-export/index.ts";

/**
 * The plugins that ship with ftpi, by the name used in `plugins:` of ftpi.yaml. Imported
 * statically so that they are inside the compiled executable.
 */
export const builtinPlugins: Record<string, Plugin<any>> = {
  autoban,
  ddns,
  "hit-o-meter": hitOMeter,
  "ubb-export": ubbExport,
};
