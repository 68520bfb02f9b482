// Entry point: `tsx cli/main.ts`, `bun cli/main.ts`, `deno run -A cli/main.ts`, or the compiled binary.
import { main } from "./ftpi.ts";
import { processIo } from "./io.ts";

const code = await main(process.argv.slice(2), processIo());
// Let buffered output reach a pipe before exiting; a lingering handle (stdin, a timer) must not keep us alive.
await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
await new Promise<void>((resolve) => process.stderr.write("", () => resolve()));
process.exit(code);
