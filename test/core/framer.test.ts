import { describe, expect, it } from "vitest";
import { LineFramer, parseCommand } from "../../core/control/framer.ts";
import { encodeReply } from "../../core/reply.ts";

const lines = (f: LineFramer, ...chunks: (string | number[])[]) =>
  chunks.flatMap((c) => f.push(Buffer.from(typeof c === "string" ? Buffer.from(c, "utf8") : c)));

describe("LineFramer", () => {
  it("splits on CRLF, LF or CR, across chunk boundaries", () => {
    const f = new LineFramer();
    expect(lines(f, "US", "ER a\r", "\nPASS b\nNOOP\rQUIT\r\n")).toEqual([
      { kind: "line", text: "USER a" },
      { kind: "line", text: "PASS b" },
      { kind: "line", text: "NOOP" },
      { kind: "line", text: "QUIT" },
    ]);
  });

  it("strips IAC IP / IAC DM / option negotiation and keeps IAC IAC as 0xFF", () => {
    const f = new LineFramer();
    const out = lines(f, [0xff, 0xf4, 0xff, 0xf2], "AB", [0xff, 0xfd, 0x03], "OR\r\n");
    expect(out).toEqual([{ kind: "line", text: "ABOR" }]);
    const g = new LineFramer();
    const raw = g.push(Buffer.from([0x41, 0xff, 0xff, 0x0a]));
    expect(raw[0]).toEqual({ kind: "line", text: "A\ufffd" });
  });

  it("drops a lone IAC whose DM went out of band", () => {
    const f = new LineFramer();
    expect(lines(f, [0xff, 0xf4, 0xff], "ABOR\r\n")).toEqual([{ kind: "line", text: "ABOR" }]);
  });

  it("reports an overlong line once and recovers on the next", () => {
    const f = new LineFramer(16);
    expect(lines(f, "X".repeat(40), "\r\nNOOP\r\n")).toEqual([{ kind: "overlong" }, { kind: "line", text: "NOOP" }]);
  });

  it("decodes UTF-8 names split across chunks", () => {
    const f = new LineFramer();
    const bytes = Buffer.from("RETR café.txt\r\n", "utf8");
    expect([...f.push(bytes.subarray(0, 9)), ...f.push(bytes.subarray(9))]).toEqual([{ kind: "line", text: "RETR café.txt" }]);
  });
});

describe("parseCommand", () => {
  it("upper-cases the verb and keeps the argument's spaces", () => {
    expect(parseCommand("stor  two  spaces ")).toEqual({ verb: "STOR", arg: " two  spaces " });
    expect(parseCommand("noop")).toEqual({ verb: "NOOP", arg: "" });
  });
});

describe("encodeReply (RFC 959 §4.2)", () => {
  it("writes single and multi-line replies, indenting digit-led middle lines", () => {
    expect(encodeReply({ code: 200, lines: ["ok"] })).toBe("200 ok\r\n");
    expect(encodeReply({ code: 211, lines: ["Features:", " EPSV", "123 sneaky", "End"] })).toBe("211-Features:\r\n EPSV\r\n 123 sneaky\r\n211 End\r\n");
    expect(encodeReply({ code: 220, lines: ["a\nb"] })).toBe("220-a\r\n220 b\r\n");
  });
});
