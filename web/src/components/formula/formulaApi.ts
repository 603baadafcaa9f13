import { api, ApiError } from "@/api/client";
import { localeRef } from "@/i18n";

/** The calls of the formula editor: the documented function library and the design-time check. */

export interface FunctionDoc {
  name: string;
  category: string;
  signature: string;
  summary: string;
  examples: { formula: string; result: string }[];
}

export type FormulaPurpose = "field" | "rule" | "condition" | "default";

export interface CheckIn {
  expression: string;
  field_key?: string;
  subform?: string;
  purpose: FormulaPurpose;
  /** the designer's current fields (unpublished ones included) */
  fields?: { key: string; label: string; type: string; settings: Record<string, unknown> }[];
}

export interface CheckOk {
  kind: string;
  references: string[];
  sample: { record_id: number; value: unknown; display: string } | null;
}

export interface CheckError {
  code: string;
  message: string;
  start?: number;
  end?: number;
}

export type CheckResult = { ok: true; result: CheckOk } | { ok: false; errors: CheckError[] };

// the library does not change while the app runs: one request per UI language
const functionCache = new Map<string, Promise<FunctionDoc[]>>();

export function loadFunctions(): Promise<FunctionDoc[]> {
  const locale = localeRef.value;
  let p = functionCache.get(locale);
  if (!p) {
    p = api<FunctionDoc[] | { items: FunctionDoc[] }>("GET", "/formula/functions").then((r) => (Array.isArray(r) ? r : r.items));
    p.catch(() => functionCache.delete(locale));
    functionCache.set(locale, p);
  }
  return p;
}

// a server that does not take the designer's fields with a check (older contract) is asked without them
let draftFieldsRefused = false;

/** Check an expression; a 422 comes back as its errors (with the offending range), anything else throws. */
export async function checkFormula(formId: number, body: CheckIn): Promise<CheckResult> {
  const sent = draftFieldsRefused && body.fields ? { ...body, fields: undefined } : body;
  try {
    return { ok: true, result: await api<CheckOk>("POST", `/forms/${formId}/formula/check`, sent) };
  } catch (e) {
    if (e instanceof ApiError && e.status === 422 && sent.fields && e.details.some((d) => d.field === "fields" && d.code === "extra_forbidden")) {
      draftFieldsRefused = true;
      return checkFormula(formId, body);
    }
    if (e instanceof ApiError && e.status === 422) {
      const raw = (e.details.length ? e.details : [{ field: "expression", code: e.code, message: e.message }]) as (CheckError & { params?: Record<string, unknown> })[];
      return {
        ok: false,
        errors: raw.map((d) => ({
          code: d.code,
          message: d.message,
          start: numberOr(d.params?.start ?? d.start),
          end: numberOr(d.params?.end ?? d.end),
        })),
      };
    }
    throw e;
  }
}

function numberOr(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** Group functions by category (in the order the server lists them) and filter by a search text (name or summary). */
export function groupFunctions(all: FunctionDoc[], search: string): { category: string; items: FunctionDoc[] }[] {
  const q = search.trim().toLowerCase();
  const groups = new Map<string, FunctionDoc[]>();
  for (const f of all) {
    if (q && !f.name.toLowerCase().includes(q) && !f.summary.toLowerCase().includes(q)) continue;
    if (!groups.has(f.category)) groups.set(f.category, []);
    groups.get(f.category)!.push(f);
  }
  const out = [...groups.entries()].map(([category, items]) => ({ category, items }));
  if (!q) return out;
  // searching: the exact name first, then names starting with the text, then the rest
  const rank = (f: FunctionDoc) => {
    const n = f.name.toLowerCase();
    return n === q ? 0 : n.startsWith(q) ? 1 : n.includes(q) ? 2 : 3;
  };
  for (const g of out) g.items.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  return out.sort((a, b) => rank(a.items[0]) - rank(b.items[0]));
}
