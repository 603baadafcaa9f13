/**
 * Mainland resident ID numbers (GB 11643-1999) in the browser: the same check as the
 * server's (src/qiao/forms/fields/idcard.py), used only to show the derived birthday and
 * gender while typing; the server decides what is valid.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = "10X98765432";

export function checkChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK[sum % 11];
}

export type IdcardInfo =
  | { state: "valid"; number: string; birthday: string; gender: "male" | "female" }
  | { state: "checksum" | "incomplete" };

export function idcardInfo(raw: string, allow15 = false): IdcardInfo {
  let n = raw.replace(/[\s-]/g, "").toUpperCase();
  if (allow15 && /^\d{15}$/.test(n)) {
    const first17 = `${n.slice(0, 6)}19${n.slice(6)}`;
    n = first17 + checkChar(first17);
  }
  if (!/^\d{17}[\dX]$/.test(n)) return { state: "incomplete" };
  const y = Number(n.slice(6, 10)), m = Number(n.slice(10, 12)), d = Number(n.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return { state: "incomplete" };
  if (checkChar(n.slice(0, 17)) !== n[17]) return { state: "checksum" };
  return {
    state: "valid", number: n,
    birthday: `${n.slice(6, 10)}-${n.slice(10, 12)}-${n.slice(12, 14)}`,
    gender: Number(n[16]) % 2 ? "male" : "female",
  };
}
