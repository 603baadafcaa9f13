/**
 * Fields as the data views use them: the form's live fields plus the system columns
 * (created/updated at, created by) as read-only pseudo-fields, and the
 * operators (with arity) a field offers in the filter builder.
 */
import type { Field, FieldTypeInfo, Form, RecordItem } from "@/api/types";
import { DEFAULT_ARITY, type Arity } from "@/components/filter/filterModel";
import { tr } from "@/i18n";

export const SYSTEM_COLUMNS: Record<string, string> = {
  created_at: "datetime",
  updated_at: "datetime",
  created_by: "user",
};

export function isSystem(key: string): boolean {
  return key in SYSTEM_COLUMNS;
}

/** Pseudo-fields for the system columns, with the operators of their type. */
export function systemFields(types: FieldTypeInfo[]): Field[] {
  return Object.entries(SYSTEM_COLUMNS).map(([key, type], i) => {
    const info = types.find((t) => t.type === type);
    return {
      id: -1 - i, key, label: tr(`views.system.${key}`), type, required: false, unique: false, indexed: true,
      settings: {}, position: 10000 + i, operators: info?.operators.map((o) => o.op) ?? [], sortable: true,
    };
  });
}

/** All fields a view can show, filter or sort by. */
export function viewFields(form: Form, types: FieldTypeInfo[]): Field[] {
  return [...form.fields.filter((f) => !f.deleted_at), ...systemFields(types)];
}

/** The value of a field (form or system) on a record. */
export function valueOf(record: RecordItem, key: string): unknown {
  if (isSystem(key)) return (record as unknown as Record<string, unknown>)[key];
  return record.data[key];
}

/** The arity of an operator on a field: the type catalogue's, else the API default. */
export function arityFor(types: FieldTypeInfo[], field: Field | undefined, op: string): Arity {
  const info = field && types.find((t) => t.type === field.type);
  const arity = info?.operators.find((o) => o.op === op)?.arity;
  if (field?.type === "relation" && field.settings.multiple && op === "contains") return "one_or_list";
  return (arity as Arity) || DEFAULT_ARITY[op] || "one";
}

/** Localized name of an operator for a field's type. */
export function opLabel(field: Field | undefined, op: string): string {
  const multi = field && (field.type === "multiselect" || (field.type === "relation" && field.settings.multiple));
  if (multi && ["in", "not_in", "contains", "not_contains", "eq", "ne"].includes(op)) return tr(`filter.multiOps.${op}`);
  const dated = field && (field.type === "date" || field.type === "datetime");
  if (dated) {
    const map: Record<string, string> = { gt: "after", lt: "before", gte: "onOrAfter", lte: "onOrBefore" };
    if (map[op]) return tr(`filter.dateOps.${map[op]}`);
  }
  return tr(`filter.ops.${op}`);
}

/** The table's columns: the view's saved order and settings, then fields not in it yet. */
export function mergeColumns(saved: { key: string; width?: number; hidden?: boolean; frozen?: boolean }[] | undefined, fields: Field[]) {
  const keys = new Set(fields.map((f) => f.key));
  const out = (saved ?? []).filter((c) => keys.has(c.key)).map((c) => ({ ...c }));
  for (const f of fields) if (!out.some((c) => c.key === f.key)) out.push({ key: f.key });
  return out;
}

/** A sensible starting width per type. */
export function defaultWidth(field: Field): number {
  switch (field.type) {
    case "boolean": return 90;
    case "number": case "percent": return 110;
    case "money": case "date": case "user": return 130;
    case "datetime": return 170;
    case "textarea": case "multiselect": case "relation": return 200;
    default: return 160;
  }
}

/** Types whose editors take Enter as "done" (single-line inputs). */
export const ENTER_SAVES = new Set(["text", "number", "money", "percent", "phone", "email", "url"]);
