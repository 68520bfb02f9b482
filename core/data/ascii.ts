import { Transform, type TransformCallback } from "node:stream";

const CR = 0x0d;
const LF = 0x0a;

/**
 * TYPE A on the way out (RFC 959 §3.1.1.1): the NVT-ASCII line end is CRLF, so each bare LF of
 * the local file becomes CRLF. A CR already in front of an LF is kept (files with CRLF stay as
 * they are), remembering the last byte across chunks.
 */
export class ToNetworkAscii extends Transform {
  private lastWasCr = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const startCr = this.lastWasCr;
    let extra = 0;
    let prevCr = startCr;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === LF && !prevCr) extra++;
      prevCr = b === CR;
    }
    this.lastWasCr = prevCr;
    if (extra === 0) return done(null, chunk);
    const out = Buffer.allocUnsafe(chunk.length + extra);
    let o = 0;
    prevCr = startCr;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === LF && !prevCr) out[o++] = CR;
      out[o++] = b;
      prevCr = b === CR;
    }
    done(null, out);
  }
}

/** TYPE A on the way in: CRLF becomes the local LF; a lone CR is kept. */
export class FromNetworkAscii extends Transform {
  private pendingCr = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const out = Buffer.allocUnsafe(chunk.length + 1);
    let o = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.pendingCr) {
        this.pendingCr = false;
        if (b !== LF) out[o++] = CR;
      }
      if (b === CR) this.pendingCr = true;
      else out[o++] = b;
    }
    done(null, out.subarray(0, o));
  }

  override _flush(done: TransformCallback): void {
    done(null, this.pendingCr ? Buffer.from([CR]) : undefined);
  }
}
