/**
 * The filter builder's editable state and its conversion to and from the API's filter
 * language (FilterNode). Pure functions, no Vue: the builder keeps a tree of groups and
 * conditions; `toFilter` drops empty and incomplete conditions (and groups left empty),
 * `fromFilter` reads a saved filter back. Nodes the builder cannot show (e.g. `not`) are
 * kept as `raw` items so that a round trip never loses them.
 */
import type { FilterNode } from "@/api/types";

/** How many values an operator takes (GET /field-types, src/qiao/query/operators.py). */
export type Arity = "none" | "one" | "list" | "pair" | "days" | "one_or_list" | "object";
export type Conj = "and" | "or";

export interface Condition {
  kind: "cond";
  id: number;
  field: string;
  op: string;
  value: unknown;
}

export interface Group {
  kind: "group";
  id: number;
  conj: Conj;
  items: Item[];
}

export interface Raw {
  kind: "raw";
  id: number;
  node: FilterNode;
}

export type Item = Condition | Group | Raw;

/** The top level is a group too (its id is 0). */
export type BuilderState = Group;

export type ArityOf = (field: string, op: string) => Arity;

/** Arity of the operators of the API when a type does not say otherwise. */
export const DEFAULT_ARITY: Record<string, Arity> = {
  eq: "one", ne: "one", gt: "one", gte: "one", lt: "one", lte: "one",
  between: "pair", in: "list", not_in: "list",
  contains: "one", not_contains: "one", starts_with: "one",
  is_empty: "none", is_not_empty: "none",
  today: "none", yesterday: "none", this_week: "none", this_month: "none", this_quarter: "none", this_year: "none",
  last_n_days: "days", next_n_days: "days",
};

export const defaultArityOf: ArityOf = (_field, op) => DEFAULT_ARITY[op] ?? "one";

let nextId = 1;
export function newId(): number {
  return nextId++;
}

export function emptyState(): BuilderState {
  return { kind: "group", id: 0, conj: "and", items: [] };
}

export function newCondition(field = "", op = "", value: unknown = null): Condition {
  return { kind: "cond", id: newId(), field, op, value };
}

export function newGroup(conj: Conj = "or", items: Item[] = []): Group {
  return { kind: "group", id: newId(), conj, items };
}

/** The editor's empty value for an arity (what the value input starts with). */
export function emptyValue(arity: Arity): unknown {
  if (arity === "list" || arity === "one_or_list") return [];
  if (arity === "pair") return [null, null];
  return null;
}

function blank(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === "string" && v.trim() === "") || (Array.isArray(v) && v.length === 0);
}

/** The API leaf of a condition, or null when it is incomplete. */
export function conditionNode(c: Condition, arityOf: ArityOf = defaultArityOf): FilterNode | null {
  if (!c.field || !c.op) return null;
  const arity = arityOf(c.field, c.op);
  const v = c.value;
  switch (arity) {
    case "none":
      return { field: c.field, op: c.op };
    case "one":
      if (Array.isArray(v)) {
        // a multi-valued field's `eq` takes its list
        const list = v.filter((x) => !blank(x));
        return list.length ? { field: c.field, op: c.op, value: list } : null;
      }
      return blank(v) ? null : { field: c.field, op: c.op, value: v };
    case "list": {
      const list = (Array.isArray(v) ? v : blank(v) ? [] : [v]).filter((x) => !blank(x));
      return list.length ? { field: c.field, op: c.op, value: list } : null;
    }
    case "one_or_list": {
      if (Array.isArray(v)) {
        const list = v.filter((x) => !blank(x));
        if (!list.length) return null;
        return { field: c.field, op: c.op, value: list.length === 1 ? list[0] : list };
      }
      return blank(v) ? null : { field: c.field, op: c.op, value: v };
    }
    case "pair": {
      const [lo, hi] = Array.isArray(v) ? v : [null, null];
      if (!blank(lo) && !blank(hi)) return { field: c.field, op: c.op, value: [lo, hi] };
      // one bound only: an open range
      if (!blank(lo)) return { field: c.field, op: "gte", value: lo };
      if (!blank(hi)) return { field: c.field, op: "lte", value: hi };
      return null;
    }
    case "object": {
      // a type's structured value ({lat, lng, km}; {province: code}): complete when no part is blank
      if (!v || typeof v !== "object" || Array.isArray(v)) return null;
      const parts = Object.values(v as Record<string, unknown>);
      return parts.length && !parts.some(blank) ? { field: c.field, op: c.op, value: v } : null;
    }
    case "days": {
      const n = typeof v === "string" ? Number(v.trim()) : (v as number);
      if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 3650) return null;
      return { field: c.field, op: c.op, value: n };
    }
  }
}

function itemNode(item: Item, arityOf: ArityOf): FilterNode | null {
  if (item.kind === "raw") return item.node;
  if (item.kind === "cond") return conditionNode(item, arityOf);
  const children = item.items.map((i) => itemNode(i, arityOf)).filter((n): n is FilterNode => n !== null);
  if (!children.length) return null;
  return item.conj === "and" ? { and: children } : { or: children };
}

/** The API filter of the builder's state; null when nothing is complete. */
export function toFilter(state: BuilderState, arityOf: ArityOf = defaultArityOf): FilterNode | null {
  return itemNode(state, arityOf);
}

function isLeaf(node: FilterNode): node is { field: string; op: string; value?: unknown } {
  return typeof node === "object" && node !== null && "field" in node && "op" in node;
}

function toItem(node: FilterNode, depth: number, maxDepth: number): Item {
  if (isLeaf(node)) {
    return { kind: "cond", id: newId(), field: node.field, op: node.op, value: "value" in node ? node.value : null };
  }
  const conj: Conj | null = "and" in node ? "and" : "or" in node ? "or" : null;
  if (conj && depth < maxDepth) {
    const children = (node as Record<Conj, FilterNode[]>)[conj];
    if (Array.isArray(children)) {
      return { kind: "group", id: newId(), conj, items: children.map((n) => toItem(n, depth + 1, maxDepth)) };
    }
  }
  return { kind: "raw", id: newId(), node };
}

/**
 * The builder's state of an API filter. `maxDepth` groups below the top level are
 * editable (1: groups inside the top group); anything deeper stays a raw item.
 */
export function fromFilter(node: FilterNode | null | undefined, maxDepth = 1): BuilderState {
  if (!node) return emptyState();
  if (!isLeaf(node) && ("and" in node || "or" in node)) {
    const conj: Conj = "and" in node ? "and" : "or";
    const children = (node as Record<Conj, FilterNode[]>)[conj];
    if (Array.isArray(children)) {
      return { kind: "group", id: 0, conj, items: children.map((n) => toItem(n, 1, maxDepth + 1)) };
    }
  }
  return { kind: "group", id: 0, conj: "and", items: [toItem(node, 1, maxDepth + 1)] };
}

/** How many conditions a filter has (for the filter button's badge). */
export function countConditions(node: FilterNode | null | undefined): number {
  if (!node) return 0;
  if (isLeaf(node)) return 1;
  if ("and" in node) return node.and.reduce((n, c) => n + countConditions(c), 0);
  if ("or" in node) return node.or.reduce((n, c) => n + countConditions(c), 0);
  if ("not" in node) return countConditions(node.not);
  return 0;
}

/** Combine filters with AND, skipping empty ones (view filter + a kanban column's). */
export function andFilters(...nodes: (FilterNode | null | undefined)[]): FilterNode | null {
  const list = nodes.filter((n): n is FilterNode => !!n);
  if (!list.length) return null;
  if (list.length === 1) return list[0];
  return { and: list };
}
