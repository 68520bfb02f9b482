import { ACCT, PASS, QUIT, REIN, USER } from "./auth.ts";
import { EPRT, EPSV, PASV, PORT } from "./data.ts";
import { CDUP, CWD, MKD, PWD, RMD } from "./dirs.ts";
import type { CommandSpec } from "./dispatch.ts";
import { DELE, MDTM, MFMT, REST, RNFR, RNTO, SIZE } from "./files.ts";
import { HASH, XCRC, XMD5, XSHA1, XSHA256 } from "./hash.ts";
import { LIST, MLSD, MLST, NLST, STAT } from "./list.ts";
import { ALLO, CLNT, FEAT, HELP, MODE, NOOP, OPTS, SITE, STRU, SYST, TYPE } from "./misc.ts";
import { AUTH, CCC, PBSZ, PROT } from "./tls.ts";
import { ABOR, APPE, RETR, STOR, STOU } from "./transfer.ts";

/** The one command table: verb → handler, login rule, transfer rule, help text. */
export const COMMANDS: Record<string, CommandSpec> = {
  USER: { handler: USER, login: false, needsArg: true, help: "USER <sp> username" },
  PASS: { handler: PASS, login: false, help: "PASS <sp> password" },
  ACCT: { handler: ACCT, login: false, help: "ACCT <sp> account-information" },
  REIN: { handler: REIN, login: false, help: "REIN" },
  QUIT: { handler: QUIT, login: false, help: "QUIT" },
  PWD: { handler: PWD, login: true, help: "PWD" },
  XPWD: { handler: PWD, login: true, help: "XPWD" },
  CWD: { handler: CWD, login: true, needsArg: true, help: "CWD <sp> pathname" },
  XCWD: { handler: CWD, login: true, needsArg: true, help: "XCWD <sp> pathname" },
  CDUP: { handler: CDUP, login: true, help: "CDUP" },
  XCUP: { handler: CDUP, login: true, help: "XCUP" },
  MKD: { handler: MKD, login: true, needsArg: true, help: "MKD <sp> pathname" },
  XMKD: { handler: MKD, login: true, needsArg: true, help: "XMKD <sp> pathname" },
  RMD: { handler: RMD, login: true, needsArg: true, help: "RMD <sp> pathname" },
  XRMD: { handler: RMD, login: true, needsArg: true, help: "XRMD <sp> pathname" },
  RETR: { handler: RETR, login: true, needsArg: true, help: "RETR <sp> pathname" },
  STOR: { handler: STOR, login: true, needsArg: true, help: "STOR <sp> pathname" },
  STOU: { handler: STOU, login: true, help: "STOU [<sp> pathname]" },
  APPE: { handler: APPE, login: true, needsArg: true, help: "APPE <sp> pathname" },
  REST: { handler: REST, login: true, needsArg: true, help: "REST <sp> byte-offset" },
  DELE: { handler: DELE, login: true, needsArg: true, help: "DELE <sp> pathname" },
  RNFR: { handler: RNFR, login: true, needsArg: true, help: "RNFR <sp> pathname" },
  RNTO: { handler: RNTO, login: true, needsArg: true, help: "RNTO <sp> pathname" },
  ABOR: { handler: ABOR, login: true, duringTransfer: true, help: "ABOR" },
  ALLO: { handler: ALLO, login: true, help: "ALLO <sp> decimal-integer" },
  LIST: { handler: LIST, login: true, help: "LIST [<sp> pathname]" },
  NLST: { handler: NLST, login: true, help: "NLST [<sp> pathname]" },
  MLSD: { handler: MLSD, login: true, help: "MLSD [<sp> pathname]" },
  MLST: { handler: MLST, login: true, help: "MLST [<sp> pathname]" },
  STAT: { handler: STAT, login: false, duringTransfer: true, help: "STAT [<sp> pathname]" },
  SIZE: { handler: SIZE, login: true, needsArg: true, help: "SIZE <sp> pathname" },
  MDTM: { handler: MDTM, login: true, needsArg: true, help: "MDTM <sp> pathname" },
  MFMT: { handler: MFMT, login: true, needsArg: true, help: "MFMT <sp> YYYYMMDDHHMMSS <sp> pathname" },
  HASH: { handler: HASH, login: true, needsArg: true, help: "HASH <sp> pathname" },
  XCRC: { handler: XCRC, login: true, needsArg: true, help: "XCRC <sp> pathname [<sp> start [<sp> end]]" },
  XMD5: { handler: XMD5, login: true, needsArg: true, help: "XMD5 <sp> pathname [<sp> start [<sp> end]]" },
  XSHA1: { handler: XSHA1, login: true, needsArg: true, help: "XSHA1 <sp> pathname [<sp> start [<sp> end]]" },
  XSHA256: { handler: XSHA256, login: true, needsArg: true, help: "XSHA256 <sp> pathname [<sp> start [<sp> end]]" },
  PORT: { handler: PORT, login: true, needsArg: true, help: "PORT <sp> h1,h2,h3,h4,p1,p2" },
  PASV: { handler: PASV, login: true, help: "PASV" },
  EPRT: { handler: EPRT, login: true, needsArg: true, help: "EPRT <sp> |proto|address|port|" },
  EPSV: { handler: EPSV, login: true, help: "EPSV [<sp> proto | ALL]" },
  TYPE: { handler: TYPE, login: true, needsArg: true, help: "TYPE <sp> A | I | L 8" },
  MODE: { handler: MODE, login: true, needsArg: true, help: "MODE <sp> S" },
  STRU: { handler: STRU, login: true, needsArg: true, help: "STRU <sp> F" },
  SYST: { handler: SYST, login: false, help: "SYST" },
  NOOP: { handler: NOOP, login: false, duringTransfer: true, help: "NOOP" },
  HELP: { handler: HELP, login: false, help: "HELP [<sp> command]" },
  FEAT: { handler: FEAT, login: false, help: "FEAT" },
  OPTS: { handler: OPTS, login: false, needsArg: true, help: "OPTS <sp> option [value]" },
  CLNT: { handler: CLNT, login: false, help: "CLNT <sp> client-name" },
  SITE: { handler: SITE, login: true, help: "SITE <sp> command [arguments]" },
  AUTH: { handler: AUTH, login: false, needsArg: true, help: "AUTH <sp> TLS" },
  PBSZ: { handler: PBSZ, login: false, needsArg: true, help: "PBSZ <sp> 0" },
  PROT: { handler: PROT, login: false, needsArg: true, help: "PROT <sp> P | C" },
  CCC: { handler: CCC, login: false, help: "CCC" },
};
