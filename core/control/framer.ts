const IAC = 0xff;
const LF = 0x0a;
const CR = 0x0d;

export type FramedLine = { kind: "line"; text: string } | { kind: "overlong" };

/**
 * Splits control-connection bytes into command lines. RFC 959 §4.1.3: the Telnet IP and Synch
 * (IAC IP, IAC DM) that precede an urgent ABOR are stripped, as are option negotiations; IAC IAC
 * stands for a literal 0xFF. When the DM travelled as TCP urgent data the stream holds a lone
 * IAC before the next command: it is dropped too. A line ends at CRLF, a bare LF or a bare CR:
 * a client that sends "ABOR\r\n" with MSG_OOB (Python's ftplib) loses its LF to the urgent
 * pointer, and its ABOR must still be heard. A line longer than maxLength bytes is
 * discarded whole and reported once, so the session can answer 500 and live on.
 */
export class LineFramer {
  private buf: Buffer;
  private len = 0;
  private overlong = false;
  private pendingIac = false;
  private skipOption = false;
  private afterCr = false;
  private readonly decoder = new TextDecoder("utf-8");

  constructor(private readonly maxLength = 2048) {
    this.buf = Buffer.allocUnsafe(maxLength + 1);
  }

  push(chunk: Buffer): FramedLine[] {
    const out: FramedLine[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.skipOption) {
        this.skipOption = false;
        continue;
      }
      if (this.pendingIac) {
        this.pendingIac = false;
        if (b === IAC) {
          this.append(IAC);
          continue;
        }
        if (b >= 0xfb) {
          this.skipOption = true; // WILL/WONT/DO/DONT carry one option byte
          continue;
        }
        if (b >= 0xf0) continue; // IP, DM, AO, AYT, ...
        // A lone IAC (its DM went out of band): drop it and keep this byte.
      } else if (b === IAC) {
        this.pendingIac = true;
        continue;
      }
      if (this.afterCr) {
        this.afterCr = false;
        if (b === LF || b === 0) continue;
      }
      if (b === LF || b === CR) {
        this.afterCr = b === CR;
        out.push(this.overlong ? { kind: "overlong" } : { kind: "line", text: this.decoder.decode(this.buf.subarray(0, this.len)) });
        this.len = 0;
        this.overlong = false;
        continue;
      }
      this.append(b);
    }
    return out;
  }

  private append(b: number): void {
    if (this.overlong) return;
    if (this.len >= this.maxLength) {
      this.overlong = true;
      return;
    }
    this.buf[this.len++] = b;
  }
}

/** Splits "VERB argument" as RFC 959 §5.3 writes it; the verb is case-insensitive. */
export function parseCommand(line: string): { verb: string; arg: string } {
  const sp = line.indexOf(" ");
  if (sp < 0) return { verb: line.trim().toUpperCase(), arg: "" };
  return { verb: line.slice(0, sp).trim().toUpperCase(), arg: line.slice(sp + 1) };
}
