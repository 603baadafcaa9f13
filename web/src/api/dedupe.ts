/** The duplicates and merges API (see docs/api.md and the issue 6 contract). */
import { api } from "@/api/client";
import type { RecordItem } from "@/api/types";

export interface DuplicateGroup {
  key: string;
  /** 0..1; 1 for exact matches */
  score: number;
  records: RecordItem[];
}

export interface FindResult {
  groups: DuplicateGroup[];
  truncated: boolean;
}

export interface FindOptions {
  fields: string[];
  fuzzy: boolean;
  threshold: number;
  limit?: number;
}

export interface Merge {
  id: number;
  form_id: number;
  survivor_id: number;
  merged_ids: number[];
  created_at: string;
  created_by: { id: number; name: string } | null;
  undone_at: string | null;
  values: Record<string, unknown>;
}

export function findDuplicates(formId: number, options: FindOptions): Promise<FindResult> {
  return api<FindResult>("POST", `/forms/${formId}/duplicates/find`, { limit: 200, ...options });
}

export function mergeRecords(
  formId: number, survivor: number, others: number[], values: Record<string, unknown>,
): Promise<{ merge: Merge; record: RecordItem }> {
  return api("POST", `/forms/${formId}/merges`, { survivor, others, values });
}

export async function listMerges(formId: number): Promise<Merge[]> {
  return (await api<{ items: Merge[] }>("GET", `/forms/${formId}/merges`)).items;
}

export function undoMerge(mergeId: number): Promise<Merge> {
  return api<Merge>("POST", `/merges/${mergeId}/undo`);
}
