/** A reply to one command: a code and one or more lines of text. */
export interface Reply {
  code: number;
  lines: string[];
  /** Close the control connection after writing it (421, QUIT). */
  close?: boolean;
}

export function reply(code: number, ...lines: string[]): Reply {
  return { code, lines: lines.length ? lines : [""] };
}

/**
 * The one place that writes "code text\r\n". RFC 959 §4.2: a multi-line reply opens with
 * "code-", closes with "code ", and a middle line that starts with digits is indented so a
 * client cannot take it for the end. CR/LF inside the text must never split a reply.
 */
export function encodeReply(r: Reply): string {
  const lines = r.lines.flatMap((l) => l.split(/\r\n|\r|\n/));
  if (lines.length === 1) return `${r.code} ${lines[0]}\r\n`;
  const last = lines.length - 1;
  let out = `${r.code}-${lines[0]}\r\n`;
  for (let i = 1; i < last; i++) {
    const l = lines[i]!;
    out += (/^\d/.test(l) ? " " : "") + l + "\r\n";
  }
  return out + `${r.code} ${lines[last]}\r\n`;
}

/** Quote a path for 257 replies: RFC 959 Appendix II doubles embedded quotes. */
export function quotePath(path: string): string {
  return `"${path.replaceAll('"', '""')}"`;
}
