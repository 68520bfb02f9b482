/**
 * autoban — anti-hammering. Bans an address that fails to log in too often (FTP, and the status
 * page's admin login) or opens connections too fast; bans grow longer for repeat offenders, are
 * kept across restarts, and can be listed, added and lifted on the status page and its JSON API.
 *
 * ```yaml
 * plugins:
 *   - name: autoban
 *     options: { maxLoginFailures: 5, loginFailureWindow: 60, allow: ["192.168.0.0/16"] }
 * ```
 *
 * Written only against ftpi's public plugin API, as an example for plugin authors. Options, API
 * and panel: docs/plugins/autoban.md.
 */
import type { Hono } from "hono";
import { definePlugin, deny } from "../../core/index.ts";
import { mountApi } from "./api.ts";
import { Autoban } from "./autoban.ts";
import { autobanOptions, type AutobanOptions } from "./options.ts";
import { mountPanel } from "./panel.tsx";
import { SavedBanList, type SavedBans } from "./saved-bans.ts";

export type { AutobanApi, BanView } from "./autoban.ts";
export type { AutobanOptions } from "./options.ts";

/** How often counters and old bans are swept; bans also end on time at each lookup. */
const SWEEP_MS = 60_000;

// One server per process uses a plugin object; setup() gives it its state.
let autoban: Autoban | null = null;

const refusal = (until: number) =>
  deny(421, `Too many failed logins or connections from your address; banned until ${new Date(until).toISOString()}.`, { close: true });

export default definePlugin<AutobanOptions>({
  name: "autoban",
  // Before every other plugin: a banned address costs one Map lookup and nothing more.
  order: "pre",
  options: autobanOptions,

  async setup(ctx) {
    const policy = new Autoban(ctx.options, ctx.log);
    const saved = new SavedBanList(ctx.state<SavedBans>("bans"), policy.banList, ctx.log);
    await saved.load();
    policy.onChange = () => saved.changed();
    autoban = policy;
    ctx.every(SWEEP_MS, () => policy.sweep());
    ctx.onClose(() => saved.flush());
    ctx.expose(policy.api());
    ctx.web((app: Hono) => {
      mountApi(app, policy, ctx.v);
      mountPanel(app, policy, ctx.v, `/plugins/${ctx.name}`);
    });
  },

  onConnect({ session }) {
    const ban = autoban?.connect(session.remoteAddress);
    if (ban) return refusal(ban.until);
  },

  // A connection opened before the ban may still try passwords: it is closed at its next PASS.
  onLogin({ session }) {
    const ban = autoban?.banOf(session.remoteAddress);
    if (ban) return refusal(ban.until);
  },

  onLoginResult({ session, ok, reason }) {
    if (!ok) autoban?.recordFailure(session.remoteAddress, reason);
  },
});
