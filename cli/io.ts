/** What a command touches of the outside world, so tests can run commands in-process. */
export interface CliIo {
  cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
  stdin: NodeJS.ReadStream;
}

export function processIo(): CliIo {
  return {
    cwd: process.cwd(),
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stdin: process.stdin,
  };
}
