/** Dates and times as the UI writes them: zero-padded numbers, local days, local times. */

/** `n` with leading zeros to `width` digits: pad(7) is "07", pad(1, 4) is "0001". */
export function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** The local calendar day of a date as "2024-05-01" (the API's date format). */
export function localDay(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "2024-05-01 14:03" in the browser's zone from an ISO time (with offset, as the API sends). */
export function formatTime(value: string | null | undefined): string {
  if (!value) return "";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return `${localDay(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Every local day from `first` to `last` (both included) as "2024-05-01". */
export function daysBetween(first: Date, last: Date): string[] {
  const days: string[] = [];
  const d = new Date(first.getFullYear(), first.getMonth(), first.getDate());
  const end = localDay(last);
  for (let i = 0; i < 400 && localDay(d) <= end; i += 1) {
    days.push(localDay(d));
    d.setDate(d.getDate() + 1);
  }
  return days;
}
