/**
 * Reply codes, named. RFC 959 §4.2.2 unless noted; 229/522 are RFC 2428, 234/235/334/431/533/534
 * are RFC 4217 (§9), 213/500-series for SIZE/MDTM/MLST are RFC 3659.
 */
export const Code = {
  RestartMarker: 110,
  ServiceReadyIn: 120,
  DataConnectionAlreadyOpen: 125,
  FileStatusOkay: 150,
  CommandOkay: 200,
  Superfluous: 202,
  SystemStatus: 211,
  DirectoryStatus: 212,
  FileStatus: 213,
  HelpMessage: 214,
  SystemType: 215,
  ServiceReady: 220,
  ClosingControl: 221,
  DataOpenNoTransfer: 225,
  ClosingData: 226,
  EnteringPassive: 227,
  /** RFC 2428 §3 */
  EnteringExtendedPassive: 229,
  LoggedIn: 230,
  /** RFC 4217 §9 */
  SecurityExchangeDone: 234,
  FileActionOkay: 250,
  PathCreated: 257,
  NeedPassword: 331,
  NeedAccount: 332,
  PendingFurtherInfo: 350,
  ServiceNotAvailable: 421,
  CantOpenData: 425,
  TransferAborted: 426,
  FileUnavailable: 450,
  LocalError: 451,
  InsufficientStorage: 452,
  SyntaxError: 500,
  SyntaxErrorArgs: 501,
  NotImplemented: 502,
  BadSequence: 503,
  NotImplementedForParam: 504,
  /** RFC 4217 §10: the data connection needs PROT P under the TLS policy. */
  ProtSettingRefused: 521,
  /** RFC 2428 §2 */
  NetworkProtocolNotSupported: 522,
  /** vsftpd's answer when a PROT P data connection does not resume the control TLS session. */
  TlsSessionReuseRequired: 522,
  NotLoggedIn: 530,
  NeedAccountForStoring: 532,
  /** RFC 4217 §9 */
  PolicyRequiresTls: 534,
  /** RFC 2228 §4: the PROT level asked for is not supported. */
  ProtLevelNotSupported: 536,
  ActionNotTaken: 550,
  PageTypeUnknown: 551,
  ExceededStorage: 552,
  FileNameNotAllowed: 553,
  /** RFC 3659 §5.4: REST offset beyond the end of the file. */
  InvalidRestParameter: 554,
} as const;

export type ReplyCode = (typeof Code)[keyof typeof Code];
