const UNITS = ["B", "KB", "MB", "GB", "TB", "PB"];

/**
 * A size as people read it in a listing: powers of 1024 with the units file managers show
 * (Windows Explorer, FileZilla's default), one decimal below 100.
 *
 * @example
 * formatSize(1536)      // "1.5 KB"
 * formatSize(734003200) // "700 MB"
 */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // Round first, so 1023.96 KB becomes "1.0 MB" rather than "1024 KB".
  if (Number(value.toFixed(1)) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 100 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}

/**
 * A date as YYYY-MM-DD, in UTC: MLSD times are UTC, and a listing must read the same wherever
 * it is made.
 *
 * @example
 * formatDate(new Date("2024-03-05T22:10:00Z")) // "2024-03-05"
 */
export function formatDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** "1 file", "2 files". */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
