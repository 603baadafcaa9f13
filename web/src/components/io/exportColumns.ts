/**
 * The columns an export template may hold: the form's live fields the user can see plus
 * the system columns the export knows, and the column list the column chooser edits
 * (the template's columns in order, ticked, then the rest, unticked).
 */
import type { Field, Form, ViewColumn } from "@/api/types";
import { tr } from "@/i18n";
import { fieldAccess } from "@/stores/permissions";
import { liveFields } from "@/stores/record";

export const EXPORT_SYSTEM_KEYS = ["id", "created_at", "updated_at", "created_by", "updated_by", "owner"] as const;

export function exportFields(form: Form): Field[] {
  const own = liveFields(form).filter((f) => fieldAccess(form, f.key).access !== "hidden");
  const system = EXPORT_SYSTEM_KEYS.map((key, i): Field => ({
    id: -100 - i, key, label: tr(`export.system.${key}`), type: key === "id" ? "sys_id" : key.endsWith("_at") ? "datetime" : "user",
    required: false, unique: false, indexed: true, settings: {}, position: 20000 + i, operators: [], sortable: true,
  }));
  return [...own, ...system];
}

/** The chooser's columns: `chosen` first in order (shown), then every other field (hidden). */
export function chooserColumns(fields: Field[], chosen: string[]): ViewColumn[] {
  const known = new Set(fields.map((f) => f.key));
  const picked = chosen.filter((k, i) => known.has(k) && chosen.indexOf(k) === i);
  return [...picked.map((key) => ({ key })), ...fields.filter((f) => !picked.includes(f.key)).map((f) => ({ key: f.key, hidden: true }))];
}

/** The keys a column list exports, in order. */
export function chosenKeys(columns: ViewColumn[]): string[] {
  return columns.filter((c) => !c.hidden).map((c) => c.key);
}
