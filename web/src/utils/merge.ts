/**
 * Merging a group of duplicate records: which record survives, which record's value
 * each field keeps, and the `values` the merge API takes. Pure, so that the rules a
 * user relies on ("nothing filled in is lost by default") are unit-tested.
 */
import type { RecordItem } from "@/api/types";

/** A value that holds nothing: null, "", blank text, an empty list or object. */
export function isBlank(value: unknown): boolean {
  if (value == null) return true;
  if (typeof value === "string") return value.trim() === "";
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value as object).length === 0;
  return false;
}

/** Whether two values are the same for the user (blank equals blank). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (isBlank(a) && isBlank(b)) return true;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** How many of `keys` the record fills in. */
export function filledCount(record: RecordItem, keys: string[]): number {
  return keys.filter((k) => !isBlank(record.data[k])).length;
}

/**
 * The record that survives by default: the most complete one (most of `keys` filled
 * in), the oldest on a tie — it is the one others most likely link to already.
 */
export function defaultSurvivor(records: RecordItem[], keys: string[]): number {
  let best: RecordItem | undefined;
  for (const r of records) {
    if (!best) best = r;
    else {
      const diff = filledCount(r, keys) - filledCount(best, keys);
      if (diff > 0 || (diff === 0 && older(r, best))) best = r;
    }
  }
  return best?.id ?? 0;
}

function older(a: RecordItem, b: RecordItem): boolean {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at;
  return a.id < b.id;
}

/**
 * For each field, the id of the record whose value survives: the survivor's own when it
 * has one, else the first record (in the group's order) that has one, else the survivor.
 * Fields in `keep` (the user's own choices) stay as chosen.
 */
export function defaultChoices(
  records: RecordItem[], survivorId: number, keys: string[], keep: Record<string, number> = {},
): Record<string, number> {
  const survivor = records.find((r) => r.id === survivorId);
  const choices: Record<string, number> = {};
  for (const key of keys) {
    if (key in keep && records.some((r) => r.id === keep[key])) {
      choices[key] = keep[key];
      continue;
    }
    if (survivor && !isBlank(survivor.data[key])) choices[key] = survivor.id;
    else choices[key] = records.find((r) => !isBlank(r.data[key]))?.id ?? survivorId;
  }
  return choices;
}

/** The keys whose values differ between the records (the rows worth a decision). */
export function differingKeys(records: RecordItem[], keys: string[]): string[] {
  return keys.filter((k) => records.some((r) => !sameValue(r.data[k], records[0]?.data[k])));
}

/**
 * The merge API's `values`: only the fields whose chosen value differs from the
 * survivor's (a field not given keeps the survivor's value).
 */
export function mergeValues(records: RecordItem[], survivorId: number, choices: Record<string, number>): Record<string, unknown> {
  const survivor = records.find((r) => r.id === survivorId);
  const values: Record<string, unknown> = {};
  if (!survivor) return values;
  for (const [key, id] of Object.entries(choices)) {
    const chosen = records.find((r) => r.id === id);
    if (!chosen || chosen.id === survivorId) continue;
    const value = chosen.data[key];
    if (!sameValue(value, survivor.data[key])) values[key] = isBlank(value) ? null : value;
  }
  return values;
}

/** The merged record as it will read: the survivor's data with the chosen values. */
export function mergedData(records: RecordItem[], survivorId: number, choices: Record<string, number>): Record<string, unknown> {
  const survivor = records.find((r) => r.id === survivorId);
  return { ...(survivor?.data ?? {}), ...mergeValues(records, survivorId, choices) };
}
