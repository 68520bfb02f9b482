/** One thing wrong with the configuration, located as precisely as we can. */
export interface ConfigProblem {
  /** File the problem is in, as the user named it; absent for command-line flags. */
  file?: string;
  line?: number;
  col?: number;
  /** Config path in dotted form, e.g. "users.0.home" or "plugins.autoban.options.maxFailures". */
  path: string;
  message: string;
}

/** Thrown when configuration (file, flags, plugins) cannot start a server; carries every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "ConfigError";
  }
}

/** `file:line:col: path: message`, the form editors and CI logs understand. */
export function formatProblem(p: ConfigProblem): string {
  const where = p.file ? `${p.file}${p.line ? `:${p.line}:${p.col ?? 1}` : ""}: ` : "";
  return `${where}${p.path || "(root)"}: ${p.message}`;
}
