import { defineStore } from "pinia";
import { api, ApiError } from "@/api/client";
import type { FilterNode, Form, RecordItem, RecordPage } from "@/api/types";
import { useFormsStore } from "@/stores/forms";
import { liveFields } from "@/stores/record";
import { useTitlesStore } from "@/stores/titles";

export interface ListParams {
  filter?: FilterNode | null;
  sort?: string;
  q?: string;
  limit?: number;
  cursor?: string | null;
  total?: boolean;
  fields?: string[];
}

/** The query string of GET /forms/{id}/records. */
export function listQuery(p: ListParams): string {
  const params = new URLSearchParams();
  if (p.filter) params.set("filter", JSON.stringify(p.filter));
  if (p.sort) params.set("sort", p.sort);
  if (p.q && p.q.trim()) params.set("q", p.q.trim());
  params.set("limit", String(p.limit ?? 50));
  if (p.cursor) params.set("cursor", p.cursor);
  if (p.fields?.length) params.set("fields", p.fields.join(","));
  params.set("total", p.total === false ? "false" : "true");
  return params.toString();
}

/** Sort keys of `-amount,name`. */
export interface SortKey {
  key: string;
  desc: boolean;
}
export function parseSort(sort: string | undefined | null): SortKey[] {
  return (sort ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s.startsWith("-") ? { key: s.slice(1), desc: true } : { key: s, desc: false }));
}
export function formatSort(keys: SortKey[]): string {
  return keys.filter((k) => k.key).map((k) => (k.desc ? "-" : "") + k.key).join(",");
}

export type UpdateResult =
  | { ok: true; record: RecordItem }
  | { ok: false; conflict: true; record: RecordItem | null; message: string }
  | { ok: false; conflict: false; errors: Record<string, string>; message: string };

/**
 * Records of forms for the data views: pages by keyset cursor, single-field updates
 * with the version read (409 conflicts reported with the fresh record), bulk changes,
 * and the display data (relation titles, user names) a page needs before rendering.
 */
export const useRecordsStore = defineStore("records", () => {
  async function list(formId: number, params: ListParams): Promise<RecordPage> {
    return api<RecordPage>("GET", `/forms/${formId}/records?${listQuery(params)}`);
  }

  async function get(formId: number, id: number): Promise<RecordItem> {
    return api<RecordItem>("GET", `/forms/${formId}/records/${id}`);
  }

  async function update(formId: number, record: RecordItem, data: Record<string, unknown>): Promise<UpdateResult> {
    try {
      const saved = await api<RecordItem>("PATCH", `/forms/${formId}/records/${record.id}`, { data, version: record.version });
      return { ok: true, record: saved };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.status === 409) {
        const fresh = await get(formId, record.id).catch(() => null);
        return { ok: false, conflict: true, record: fresh, message: e.message };
      }
      if (e.status === 422) {
        const errors: Record<string, string> = {};
        for (const d of e.details) errors[d.field.replace(/^data\./, "")] = d.message;
        return { ok: false, conflict: false, errors, message: e.message };
      }
      throw e;
    }
  }

  async function bulkUpdate(formId: number, ids: number[], data: Record<string, unknown>): Promise<number> {
    return (await api<{ count: number }>("POST", `/forms/${formId}/records/bulk-update`, { ids, data })).count;
  }

  async function bulkDelete(formId: number, ids: number[]): Promise<number> {
    return (await api<{ count: number }>("POST", `/forms/${formId}/records/bulk-delete`, { ids })).count;
  }

  /** Load what rendering these records needs: relation titles and the user directory. */
  async function prepare(form: Form, items: RecordItem[]): Promise<void> {
    await Promise.all([
      useTitlesStore().ensureRelations(liveFields(form), items.map((r) => r.data)),
      useFormsStore().loadUsers().catch(() => undefined),
    ]);
  }

  return { list, get, update, bulkUpdate, bulkDelete, prepare };
});
