import { parentOf, resolvePath } from "../storage/virtual-path.ts";
import type { Permission, PermissionRule } from "./types.ts";

interface FolderRights {
  rights: ReadonlySet<Permission>;
  subdirs: boolean;
}

/**
 * The rights of one account, folder by folder. The rule that applies to a folder is the one with
 * the longest path that either is that folder or is above it with `subdirs`; when no rule
 * applies, nothing is allowed. Two rules for the same path: the later one wins, so rules from
 * an account can follow and override those of its groups.
 *
 * @example
 * const table = new PermissionTable([
 *   { path: "/", allow: ["read", "list"], subdirs: true },
 *   { path: "/upload", allow: ["read", "list", "write", "mkdir"], subdirs: true },
 * ]);
 * table.can("write", "/upload/photos") // true
 * table.can("write", "/music")         // false
 */
export class PermissionTable {
  readonly #rules = new Map<string, FolderRights>();

  constructor(rules: readonly PermissionRule[]) {
    for (const rule of rules) {
      this.#rules.set(resolvePath("/", rule.path), { rights: new Set(rule.allow), subdirs: rule.subdirs });
    }
  }

  /**
   * Whether `permission` is granted on the folder `dir` (a normalised virtual path). For an
   * operation on a file, pass the folder that holds it.
   */
  can(permission: Permission, dir: string): boolean {
    return this.#ruleFor(dir)?.rights.has(permission) ?? false;
  }

  /** Every right granted on the folder `dir`, e.g. for the "perm" fact of MLSD. */
  rightsFor(dir: string): Set<Permission> {
    return new Set(this.#ruleFor(dir)?.rights);
  }

  #ruleFor(dir: string): FolderRights | undefined {
    const own = this.#rules.get(dir);
    if (own) return own;
    for (let folder = dir; folder !== "/"; ) {
      folder = parentOf(folder);
      const inherited = this.#rules.get(folder);
      if (inherited?.subdirs) return inherited;
    }
    return undefined;
  }
}
