const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/**
 * A best-effort date from the date column of a LIST line, for servers without MLSD. Unix
 * (`Mar  5 2023`, `Mar  5 14:02` = within the last six months) and DOS (`03-05-23 02:02PM`).
 * The server's time zone is unknown, so it is read as UTC: good for the day, not the hour.
 * Null when the text is neither.
 *
 * @example
 * parseListDate("Mar  5  2023") // 2023-03-05T00:00:00.000Z
 */
export function parseListDate(text: string, now = new Date()): Date | null {
  const unix = /^([A-Za-z]{3})\s+(\d{1,2})\s+(?:(\d{4})|(\d{1,2}):(\d{2}))$/.exec(text.trim());
  if (unix) {
    const month = MONTHS.indexOf(unix[1]!.toLowerCase());
    if (month < 0) return null;
    const day = Number(unix[2]);
    if (unix[3]) return new Date(Date.UTC(Number(unix[3]), month, day));
    // No year: the most recent such date that is not (much) in the future.
    let year = now.getUTCFullYear();
    const candidate = (y: number) => Date.UTC(y, month, day, Number(unix[4]), Number(unix[5]));
    if (candidate(year) > now.getTime() + 2 * 86_400_000) year--;
    return new Date(candidate(year));
  }
  const dos = /^(\d{2})-(\d{2})-(\d{2}|\d{4})\s+(\d{1,2}):(\d{2})\s*([AP]M)?$/i.exec(text.trim());
  if (dos) {
    let year = Number(dos[3]);
    if (year < 100) year += year < 70 ? 2000 : 1900;
    let hour = Number(dos[4]) % (dos[6] ? 12 : 24);
    if (dos[6]?.toUpperCase() === "PM") hour += 12;
    return new Date(Date.UTC(year, Number(dos[1]) - 1, Number(dos[2]), hour, Number(dos[5])));
  }
  return null;
}
