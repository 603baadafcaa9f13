/**
 * Sub-form (子表单) helpers shared by the rows editor, the reading table and the
 * designer's columns panel: child columns as ordinary `Field` objects (so each cell uses
 * its type's own editor and formatter), pasting rows copied from Excel, and CSV export.
 */
import type { Field } from "@/api/types";
import { formatValue, widgetFor } from "@/fields/registry";

/** One column as the sub-form's settings carry it. */
export interface ChildColumn {
  id?: number;
  key: string;
  label: string;
  type: string;
  settings: Record<string, any>;
  required: boolean;
}

export type Row = Record<string, unknown> & { id?: number };

/**
 * Types a column may have: one value per cell (a relation column links one record).
 * Modules of further types that fit a cell (a row formula) may push theirs here.
 */
export const CHILD_TYPES: string[] = [
  "text", "textarea", "number", "money", "percent", "date", "datetime", "boolean", "select",
  "phone", "email", "url", "user", "department", "relation", "rating", "idcard", "formula",
];

export function columnsOf(field: Pick<Field, "settings">): ChildColumn[] {
  return (field.settings.columns ?? []) as ChildColumn[];
}

/** The columns as fields; cached per settings object (one per loaded form). */
const cache = new WeakMap<object, Field[]>();
export function childFields(field: Pick<Field, "settings">): Field[] {
  const columns = columnsOf(field);
  const hit = cache.get(columns);
  if (hit) return hit;
  const fields = columns.map((c, i): Field => ({
    id: c.id ?? -(i + 1), key: c.key, label: c.label, type: c.type, settings: c.settings ?? {},
    required: !!c.required, unique: false, indexed: false, position: i, operators: [], sortable: false,
  }));
  cache.set(columns, fields);
  return fields;
}

/** A new row: each column's default, else its type's empty value. */
export function blankRow(fields: Field[]): Row {
  const row: Row = {};
  for (const f of fields) row[f.key] = f.settings.default ?? widgetFor(f.type).empty();
  return row;
}

const TRUE = new Set(["是", "true", "yes", "y", "1", "✓", "√", "对"]);
const FALSE = new Set(["否", "false", "no", "n", "0", "×", "错", ""]);
const NUMERIC = new Set(["number", "money", "percent", "rating"]);

/**
 * A pasted cell as the column's editor takes input: numbers as numbers ("1,200" and
 * "15%" too), yes/no as booleans, everything else as text — which the server then
 * coerces and checks like any input, reporting the cell if it does not fit.
 */
export function cellFromText(field: Field, text: string): unknown {
  const value = text.trim();
  if (value === "") return widgetFor(field.type).empty();
  if (NUMERIC.has(field.type)) {
    const percent = value.endsWith("%");
    const n = Number(value.replace(/[,，¥$\s%]/g, ""));
    if (!Number.isFinite(n)) return value;
    if (field.type === "percent") return percent ? n / 100 : n;
    return n;
  }
  if (field.type === "boolean") {
    const lower = value.toLowerCase();
    if (TRUE.has(lower)) return true;
    if (FALSE.has(lower)) return false;
    return value;
  }
  if (/^(relation|user|department)$/.test(field.type) && /^\d+$/.test(value)) return Number(value);
  if (field.type === "date") return value.replace(/\//g, "-").replace(/-(\d)(?=-|$)/g, "-0$1");
  return value;
}

/** Split Excel's clipboard text (tab-separated, quoted cells may hold tabs and newlines). */
export function parseTsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === "") quoted = true;
    else if (ch === "\t") { row.push(cell); cell = ""; }
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(cell); rows.push(row); row = []; cell = "";
    } else cell += ch;
  }
  if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
  return rows.filter((r) => r.some((c) => c.trim() !== ""));
}

/** Rows from pasted text, in column order; a first line naming the columns is a header. */
export function rowsFromPaste(fields: Field[], text: string): Row[] {
  let lines = parseTsv(text);
  const names = (f: Field) => [f.label, f.key].map((s) => s.trim().toLowerCase());
  if (lines.length && lines[0].length && lines[0].every((c, i) => i < fields.length && names(fields[i]).includes(c.trim().toLowerCase()))) {
    lines = lines.slice(1);
  }
  return lines.map((cells) => {
    const row = blankRow(fields);
    fields.forEach((f, i) => { if (i < cells.length) row[f.key] = cellFromText(f, cells[i]); });
    return row;
  });
}

function csvCell(text: string): string {
  // a cell starting like a formula is kept as text by spreadsheets (no formula injection)
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The rows as CSV (header = column labels), cells as the UI shows them. */
export function rowsToCsv(fields: Field[], rows: Row[]): string {
  const lines = [fields.map((f) => csvCell(f.label)).join(",")];
  for (const row of rows) lines.push(fields.map((f) => csvCell(formatValue(f, row[f.key]))).join(","));
  return "\ufeff" + lines.join("\r\n") + "\r\n";
}
