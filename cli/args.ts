import { parseArgs, type ParseArgsConfig } from "node:util";

/** A mistake in how ftpi was called; main prints it as one line and exits with 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose --help explains the fix, if any. */
    readonly command?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

type OptionSpecs = NonNullable<ParseArgsConfig["options"]>;

const helpOption = { help: { type: "boolean", short: "h" } } as const;

/**
 * Parses a command's arguments strictly (unknown options and stray arguments are UsageErrors).
 * Node, Bun and Deno all ship node:util parseArgs with the same error codes.
 */
export function parseCommandArgs<const O extends OptionSpecs>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...options, ...helpOption }, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Keep the first sentence: Node appends advice about "--" that does not apply here.
    const first = message.split(/\.\s/)[0]!.replace(/\.$/, "");
    throw new UsageError(first.charAt(0).toLowerCase() + first.slice(1), command);
  }
}

/** Parses a --flag value "NAME:PASSWORD" (the password may itself hold ':'). */
export function splitUserFlag(text: string): { name: string; password: string } {
  const colon = text.indexOf(":");
  if (colon <= 0 || colon === text.length - 1) {
    throw new UsageError("--user expects NAME:PASSWORD", "serve");
  }
  return { name: text.slice(0, colon), password: text.slice(colon + 1) };
}
