/** ftpi's public API: the server, the plugin contract, and the types plugins see. */
export { createServer, FtpServer, type ServerExtras } from "./server.ts";
export { definePlugin, deny } from "./hooks/host.ts";
export type * from "./hooks/types.ts";
export { GUARD_HOOKS, LISTENER_HOOKS } from "./hooks/types.ts";
/** Address helpers for plugins that key, match or group clients by IP (autoban, hit-o-meter). */
export { AddressList, isPrivateAddress, parseAddress, parseCidr, prefixKey, type AddressRange, type IpAddress } from "./auth/address-filter.ts";
export type { ServerOptions, PluginSpec, Limits, LogOptions, LogEvent } from "./config/types.ts";
export type { Account, Permission, PermissionRule, AddressFilter } from "./auth/types.ts";
export type { Entry, Storage, StorageErrorKind, WriteMode, WriteHandle } from "./storage/types.ts";
export { StorageError } from "./storage/types.ts";
export { ConfigError, formatProblem, type ConfigProblem } from "./config/problems.ts";
export { MemoryStorage } from "./storage/memory.ts";
