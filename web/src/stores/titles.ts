import { defineStore } from "pinia";
import { ref } from "vue";
import { api } from "@/api/client";
import type { Field, Form, RecordItem } from "@/api/types";
import { formatValue } from "@/fields";
import { liveFields } from "@/stores/record";

/** The record ids a relation value holds (one id, a list of them, or nothing). */
export function relationIds(value: unknown): number[] {
  return value == null ? [] : (Array.isArray(value) ? value : [value]).map(Number);
}

/**
 * The field naming a form's records, as the server picks it for relation titles:
 * `settings.title_field` when it is a live field, else the first text field.
 */
export function titleField(form: Pick<Form, "fields" | "settings">): Field | undefined {
  const fields = liveFields(form);
  const key = form.settings.title_field;
  return (key && fields.find((f) => f.key === key)) || fields.find((f) => f.type === "text");
}

/**
 * A record's title everywhere in the app: its title field's display text, else "#id"
 * (what the server's relation titles say for the same record); "" without a record.
 */
export function recordTitle(form: Pick<Form, "fields" | "settings">, record: Pick<RecordItem, "id" | "data"> | null | undefined): string {
  if (!record) return "";
  const field = titleField(form);
  return (field && formatValue(field, record.data[field.key])) || `#${record.id}`;
}

/**
 * Titles of records by form, for showing relation values and pickers. Ids are fetched
 * in batches from /forms/{id}/records/titles and cached for the session.
 */
export const useTitlesStore = defineStore("titles", () => {
  const cache = ref<Record<number, Record<number, string>>>({});

  function title(formId: number, id: number): string {
    return cache.value[formId]?.[id] ?? `#${id}`;
  }

  async function ensure(formId: number, ids: number[]): Promise<void> {
    const known = cache.value[formId] ?? {};
    const missing = [...new Set(ids)].filter((id) => !(id in known));
    for (let i = 0; i < missing.length; i += 200) {
      const chunk = missing.slice(i, i + 200);
      const page = await api<{ items: { id: number; title: string }[] }>(
        "GET",
        `/forms/${formId}/records/titles?ids=${chunk.join(",")}`,
      );
      const next = { ...(cache.value[formId] ?? {}) };
      for (const id of chunk) next[id] = `#${id}`;
      for (const item of page.items) next[item.id] = item.title;
      cache.value = { ...cache.value, [formId]: next };
    }
  }

  /** The titles the relation values of these records show (a failed fetch leaves "#id"). */
  async function ensureRelations(fields: Field[], rows: Record<string, unknown>[]): Promise<void> {
    const jobs = fields
      .filter((f) => f.type === "relation")
      .map((f) => [Number(f.settings.target_form_id), rows.flatMap((data) => relationIds(data[f.key]))] as const)
      .filter(([, ids]) => ids.length)
      .map(([formId, ids]) => ensure(formId, ids).catch(() => undefined));
    await Promise.all(jobs);
  }

  function forget(formId: number, id?: number): void {
    if (id === undefined) delete cache.value[formId];
    else delete cache.value[formId]?.[id];
  }

  return { cache, title, ensure, ensureRelations, forget };
});
