import type { OptionsSchema } from "../../core/index.ts";

/** hit-o-meter's options; every one has a default. */
export interface HitOMeterOptions {
  /** Count uploads (files, bytes, traffic in); off: uploads are not counted at all (default true). */
  countUploads: boolean;
  /** Count downloads (files, bytes, traffic out) (default true). */
  countDownloads: boolean;
  /** Addresses, and users, kept at most; beyond it the one seen longest ago is dropped (default 10000). */
  maxKeys: number;
  /** How many of the busiest addresses, and users, get a traffic history of their own (default 50). */
  historyKeys: number;
  /** Seconds between saves of the counters and history (default 300; also saved when the server stops). */
  saveInterval: number;
  /** Seconds between looks at the running transfers, for live rates and the per-minute history (default 1). */
  sampleInterval: number;
}

/** The schema of hit-o-meter's options. */
export const hitOMeterOptions: OptionsSchema<HitOMeterOptions> = (v) =>
  v.strictObject({
    countUploads: v.optional(v.boolean(), true),
    countDownloads: v.optional(v.boolean(), true),
    maxKeys: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 10_000),
    historyKeys: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1000)), 50),
    saveInterval: v.optional(v.pipe(v.number(), v.minValue(1)), 300),
    sampleInterval: v.optional(v.pipe(v.number(), v.minValue(0.05), v.maxValue(60)), 1),
  });
