import type { PluginLogger, StateStore } from "../../core/index.ts";
import type { BanList, BanRecord } from "./ban-list.ts";

/** What autoban keeps in `<dataDir>/plugins/autoban/bans.json`. Times are epoch milliseconds. */
export interface SavedBans {
  version: 1;
  bans: BanRecord[];
}

/**
 * Saves the ban list a moment after it changes (so a burst of bans is one write), and at once on
 * flush() — which the plugin calls when the server closes.
 */
export class SavedBanList {
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly store: StateStore<SavedBans>,
    private readonly bans: BanList,
    private readonly log: PluginLogger,
    private readonly delayMs = 1000,
  ) {}

  /** Puts the saved bans back into the list. */
  async load(): Promise<void> {
    const saved = await this.store.load();
    if (saved?.version === 1 && Array.isArray(saved.bans)) this.bans.restore(saved.bans);
  }

  /** Saves soon. */
  changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => void this.flush(), this.delayMs);
    this.timer.unref?.();
  }

  /** Saves now if a change is waiting. */
  async flush(): Promise<void> {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = null;
    try {
      await this.store.save({ version: 1, bans: this.bans.all() });
    } catch (err) {
      this.log.error(`cannot save bans: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
