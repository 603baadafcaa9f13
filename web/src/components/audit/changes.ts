/** What an audit entry changed, as rows of field/attribute, before and after. Pure. */
import type { AuditEntry } from "./auditApi";

export interface ChangeRow {
  key: string;
  label: string;
  before: unknown;
  after: unknown;
  /** for a publish: the field was added, changed or removed */
  op?: "add" | "update" | "delete";
}

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `{name: {before, after}}` (with an optional label) as rows. */
function beforeAfter(changes: unknown, prefix = ""): ChangeRow[] {
  if (!isObj(changes)) return [];
  return Object.entries(changes).flatMap(([key, c]) =>
    isObj(c) ? [{ key, label: prefix + String(c.label ?? key), before: c.before ?? null, after: c.after ?? null }] : [],
  );
}

/** The keys whose values differ between two snapshots (org and permission changes). */
function snapshotDiff(before: unknown, after: unknown): ChangeRow[] {
  const b = isObj(before) ? before : {};
  const a = isObj(after) ? after : {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return keys.filter((k) => !same(b[k], a[k])).map((k) => ({ key: k, label: k, before: b[k] ?? null, after: a[k] ?? null }));
}

export function changeRows(entry: Pick<AuditEntry, "action" | "details">): ChangeRow[] {
  const d = isObj(entry.details) ? entry.details : {};
  switch (entry.action) {
    case "record_create":
      return isObj(d.values) ? Object.entries(d.values).map(([key, v]) => ({ key, label: key, before: null, after: v })) : [];
    case "record_transfer":
      return [{ key: "owner", label: "owner", before: d.before ?? null, after: d.after ?? null }];
    case "form_publish": {
      const fields = Array.isArray(d.fields) ? d.fields.filter(isObj) : [];
      return fields.flatMap((f): ChangeRow[] => {
        const label = String(f.label ?? f.key ?? "");
        if (f.op === "add") return [{ key: String(f.key), label, before: null, after: f.type ?? null, op: "add" }];
        if (f.op === "delete") return [{ key: String(f.key), label, before: f.type ?? label, after: null, op: "delete" }];
        return beforeAfter(f.changes, `${label} · `).map((r) => ({ ...r, op: "update" as const }));
      });
    }
    case "org_change":
    case "permission_change":
      return snapshotDiff(d.before, d.after);
    default:
      return beforeAfter(d.changes);
  }
}

/** A stored JSON value as short plain text. */
export function plainValue(value: unknown, empty = "—"): string {
  if (value === null || value === undefined || value === "") return empty;
  if (Array.isArray(value)) return value.length ? value.map((v) => plainValue(v, "")).join("、") : empty;
  if (typeof value === "boolean") return value ? "✓" : "✗";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
