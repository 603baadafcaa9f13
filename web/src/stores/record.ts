import { defineStore } from "pinia";
import { ref } from "vue";
import { api } from "@/api/client";
import type { Comment, Field, FilterNode, Form, LayoutItem, LayoutRow, RecordItem, RecordPage, RelatedLink, User } from "@/api/types";
import { isEmpty, widgetFor } from "@/fields";

/**
 * Record pages: the API calls of one record (read, create, update, delete, restore,
 * related records, comments) and the pure helpers they share (layout, changed
 * keys, required checks, mentions) — the helpers are exported for tests and dialogs.
 */

const GRID = 24;

/** What laying a form out takes: its fields and the designer's rows (plus a header to show). */
export interface LayoutForm {
  name?: string;
  description?: string;
  fields: Field[];
  settings?: { layout?: LayoutRow[] | null };
}

/** Fields that are not deleted, in form order. */
export function liveFields(form: Pick<Form, "fields">): Field[] {
  return [...form.fields].filter((f) => !f.deleted_at).sort((a, b) => a.position - b.position);
}

/** Whether the user can type a value (autonumber and other generated fields cannot). */
export function isWritable(field: Field): boolean {
  return !widgetFor(field.type).readonly;
}

/**
 * The rows to render: the designer's layout without deleted or repeated fields, plus a
 * full row for every live field it does not place (older forms have no layout at all).
 */
export function effectiveLayout(form: LayoutForm): LayoutRow[] {
  const fields = liveFields(form);
  const live = new Set(fields.map((f) => f.id));
  const placed = new Set<number>();
  const rows: LayoutRow[] = [];
  for (const row of form.settings?.layout ?? []) {
    const items: LayoutItem[] = [];
    for (const item of row?.items ?? []) {
      if (item.kind === "field") {
        const id = item.field_id;
        if (id == null || !live.has(id) || placed.has(id)) continue;
        placed.add(id);
        items.push({ ...item, span: Math.min(GRID, Math.max(1, Number(item.span) || GRID)) });
      } else {
        items.push(item);
      }
    }
    if (items.length) rows.push({ items });
  }
  for (const f of fields) if (!placed.has(f.id)) rows.push({ items: [{ kind: "field", field_id: f.id, span: GRID }] });
  return rows;
}

function same(a: unknown, b: unknown): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The writable keys whose value differs from the record as read (for PATCH). */
export function changedData(fields: Field[], before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const f of fields) {
    if (!isWritable(f) || !(f.key in after)) continue;
    if (!same(before[f.key], after[f.key])) changed[f.key] = isEmpty(after[f.key]) ? null : after[f.key];
  }
  return changed;
}

/** The writable, non-empty values of a new record (for POST). */
export function createData(fields: Field[], data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (isWritable(f) && !isEmpty(data[f.key])) out[f.key] = data[f.key];
  return out;
}

/** A new record's values: each field's empty value, then the given defaults. */
export function blankData(fields: Field[], defaults: Record<string, unknown> = {}): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  // the caller's defaults (e.g. a pre-filled relation), then the field's own default value
  for (const f of fields) {
    data[f.key] = f.key in defaults ? defaults[f.key] : (f.settings.default ?? widgetFor(f.type).empty());
  }
  return data;
}

/** Client-side check of required fields (the server stays the authority). */
export function requiredErrors(fields: Field[], data: Record<string, unknown>, message: (f: Field) => string): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const f of fields) if (f.required && isWritable(f) && isEmpty(data[f.key])) errors[f.key] = message(f);
  return errors;
}

/** Records of `link.form_id` pointing at `recordId` through the relation `link.field_key`. */
export function relatedFilter(link: Pick<RelatedLink, "field_key" | "multiple">, recordId: number, operators?: string[]): FilterNode {
  if (!link.multiple) return { field: link.field_key, op: "eq", value: recordId };
  const ops = operators ?? ["contains"];
  if (ops.includes("contains")) return { field: link.field_key, op: "contains", value: recordId };
  return { field: link.field_key, op: "in", value: [recordId] };
}

/** Users mentioned in a comment body as "@Display Name" (longest names first). */
export function extractMentions(body: string, users: Pick<User, "id" | "display_name">[]): number[] {
  const ids: number[] = [];
  for (const seg of mentionSegments(body, users)) if (seg.userId != null && !ids.includes(seg.userId)) ids.push(seg.userId);
  return ids;
}

export interface Segment {
  text: string;
  userId?: number;
}

/** A comment body cut into text and "@name" pieces of the given users. */
export function mentionSegments(body: string, users: Pick<User, "id" | "display_name">[]): Segment[] {
  const named = users.filter((u) => u.display_name).sort((a, b) => b.display_name.length - a.display_name.length);
  const segments: Segment[] = [];
  let text = "";
  let i = 0;
  while (i < body.length) {
    if (body[i] === "@") {
      const user = named.find((u) => body.startsWith(u.display_name, i + 1));
      if (user) {
        if (text) segments.push({ text });
        text = "";
        segments.push({ text: `@${user.display_name}`, userId: user.id });
        i += user.display_name.length + 1;
        continue;
      }
    }
    text += body[i];
    i += 1;
  }
  if (text) segments.push({ text });
  return segments;
}

export interface RelatedPage {
  items: RecordItem[];
  total: number;
}

export const useRecordStore = defineStore("record", () => {
  /** related links by form id */
  const related = ref<Record<number, RelatedLink[]>>({});

  function base(formId: number): string {
    return `/forms/${formId}/records`;
  }

  function get(formId: number, id: number, trashed = false): Promise<RecordItem> {
    return api<RecordItem>("GET", `${base(formId)}/${id}${trashed ? "?trashed=true" : ""}`);
  }

  function create(formId: number, data: Record<string, unknown>): Promise<RecordItem> {
    return api<RecordItem>("POST", base(formId), { data });
  }

  function update(formId: number, id: number, data: Record<string, unknown>, version: number): Promise<RecordItem> {
    return api<RecordItem>("PATCH", `${base(formId)}/${id}`, { data, version });
  }

  function remove(formId: number, id: number): Promise<void> {
    return api<void>("DELETE", `${base(formId)}/${id}`);
  }

  function restore(formId: number, id: number): Promise<RecordItem> {
    return api<RecordItem>("POST", `${base(formId)}/${id}/restore`);
  }

  function trash(formId: number, cursor?: string | null, limit = 50): Promise<RecordPage> {
    const params = new URLSearchParams({ trashed: "true", limit: String(limit) });
    if (cursor) params.set("cursor", cursor);
    else params.set("total", "true");
    return api<RecordPage>("GET", `${base(formId)}?${params}`);
  }

  async function relatedLinks(formId: number, force = false): Promise<RelatedLink[]> {
    if (force || !related.value[formId]) {
      related.value[formId] = (await api<{ items: RelatedLink[] }>("GET", `/forms/${formId}/related`)).items;
    }
    return related.value[formId];
  }

  async function linkedRecords(link: RelatedLink, recordId: number, operators?: string[], limit = 10): Promise<RelatedPage> {
    const params = new URLSearchParams({
      filter: JSON.stringify(relatedFilter(link, recordId, operators)),
      limit: String(limit),
      sort: "-id",
    });
    const page = await api<RecordPage>("GET", `${base(link.form_id)}?${params}`);
    return { items: page.items, total: page.total ?? page.items.length };
  }

  function comments(formId: number, id: number): Promise<{ items: Comment[] }> {
    return api<{ items: Comment[] }>("GET", `${base(formId)}/${id}/comments`);
  }

  function addComment(formId: number, id: number, body: string, mentions: number[]): Promise<Comment> {
    return api<Comment>("POST", `${base(formId)}/${id}/comments`, { body, mentions });
  }

  function deleteComment(commentId: number): Promise<void> {
    return api<void>("DELETE", `/comments/${commentId}`);
  }

  return { related, get, create, update, remove, restore, trash, relatedLinks, linkedRecords, comments, addComment, deleteComment };
});
