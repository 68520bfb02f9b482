/**
 * One thing wrong with the configuration, located as precisely as we can. Plugins report theirs
 * from setup through the context, and they are listed with the config file's own.
 *
 * @example
 * const problem: ConfigProblem = { file: "ftpi.yaml", line: 12, col: 5, path: "users.0.home", message: "folder does not exist" };
 */
export interface ConfigProblem {
  /** File the problem is in, as the user named it; absent for command-line flags. */
  file?: string;
  line?: number;
  col?: number;
  /** Config path in dotted form, e.g. "users.0.home" or "plugins.autoban.options.maxFailures". */
  path: string;
  message: string;
}

/**
 * Thrown when configuration (file, flags, plugins) cannot start a server; carries every problem.
 *
 * @example
 * try {
 *   await createServer(options);
 * } catch (err) {
 *   if (err instanceof ConfigError) for (const p of err.problems) console.error(formatProblem(p));
 * }
 */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "ConfigError";
  }
}

/**
 * `file:line:col: path: message`, the form editors and CI logs understand.
 *
 * @example
 * formatProblem({ file: "ftpi.yaml", line: 3, col: 7, path: "limits.maxClients", message: "must be a number" });
 * // "ftpi.yaml:3:7: limits.maxClients: must be a number"
 */
export function formatProblem(p: ConfigProblem): string {
  const where = p.file ? `${p.file}${p.line ? `:${p.line}:${p.col ?? 1}` : ""}: ` : "";
  return `${where}${p.path || "(root)"}: ${p.message}`;
}
