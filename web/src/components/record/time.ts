/** "2024-05-01 14:03" from an ISO time, in the zone the server wrote it in. */
export function formatTime(value: string | null | undefined): string {
  if (!value) return "";
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})/.exec(value);
  return m ? `${m[1]} ${m[2]}` : value;
}
