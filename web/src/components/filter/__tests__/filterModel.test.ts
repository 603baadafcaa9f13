import { describe, expect, it } from "vitest";
import type { FilterNode } from "@/api/types";
import {
  andFilters, type Arity, conditionNode, countConditions, emptyState, fromFilter, newCondition, newGroup, toFilter,
} from "../filterModel";

// arities as GET /field-types reports them; tags is a multiselect
const arityOf = (field: string, op: string): Arity => {
  if (field === "tags") return ({ contains: "one_or_list", not_contains: "one_or_list", in: "list", not_in: "list", eq: "list", ne: "list" } as Record<string, Arity>)[op] ?? "none";
  return ({ eq: "one", ne: "one", gt: "one", between: "pair", in: "list", not_in: "list", is_empty: "none", today: "none", last_n_days: "days", contains: "one" } as Record<string, Arity>)[op] ?? "one";
};

function strip(node: unknown): unknown {
  // ids differ between states; compare shapes
  return JSON.parse(JSON.stringify(node, (k, v) => (k === "id" ? undefined : v)));
}

describe("filterModel: conditions by arity", () => {
  it("none: no value", () => {
    expect(conditionNode(newCondition("name", "is_empty", "ignored"), arityOf)).toEqual({ field: "name", op: "is_empty" });
    expect(conditionNode(newCondition("close", "today"), arityOf)).toEqual({ field: "close", op: "today" });
  });

  it("one: a value; empty is incomplete; false and 0 are values", () => {
    expect(conditionNode(newCondition("name", "eq", "Acme"), arityOf)).toEqual({ field: "name", op: "eq", value: "Acme" });
    expect(conditionNode(newCondition("name", "eq", ""), arityOf)).toBeNull();
    expect(conditionNode(newCondition("name", "eq", "   "), arityOf)).toBeNull();
    expect(conditionNode(newCondition("name", "eq", null), arityOf)).toBeNull();
    expect(conditionNode(newCondition("vip", "eq", false), arityOf)).toEqual({ field: "vip", op: "eq", value: false });
    expect(conditionNode(newCondition("qty", "gt", 0), arityOf)).toEqual({ field: "qty", op: "gt", value: 0 });
  });

  it("list: non-empty list without blanks", () => {
    expect(conditionNode(newCondition("stage", "in", ["A", "", null, "B"]), arityOf)).toEqual({ field: "stage", op: "in", value: ["A", "B"] });
    expect(conditionNode(newCondition("stage", "not_in", []), arityOf)).toBeNull();
    expect(conditionNode(newCondition("stage", "in", "A"), arityOf)).toEqual({ field: "stage", op: "in", value: ["A"] });
    expect(conditionNode(newCondition("tags", "eq", ["x"]), arityOf)).toEqual({ field: "tags", op: "eq", value: ["x"] });
  });

  it("one_or_list: one value alone, several as a list", () => {
    expect(conditionNode(newCondition("tags", "contains", ["x"]), arityOf)).toEqual({ field: "tags", op: "contains", value: "x" });
    expect(conditionNode(newCondition("tags", "contains", ["x", "y"]), arityOf)).toEqual({ field: "tags", op: "contains", value: ["x", "y"] });
    expect(conditionNode(newCondition("tags", "not_contains", "x"), arityOf)).toEqual({ field: "tags", op: "not_contains", value: "x" });
    expect(conditionNode(newCondition("tags", "contains", []), arityOf)).toBeNull();
  });

  it("pair: both bounds, or an open range from one", () => {
    expect(conditionNode(newCondition("amount", "between", [1, 9]), arityOf)).toEqual({ field: "amount", op: "between", value: [1, 9] });
    expect(conditionNode(newCondition("amount", "between", [1, null]), arityOf)).toEqual({ field: "amount", op: "gte", value: 1 });
    expect(conditionNode(newCondition("amount", "between", [null, 9]), arityOf)).toEqual({ field: "amount", op: "lte", value: 9 });
    expect(conditionNode(newCondition("amount", "between", [null, ""]), arityOf)).toBeNull();
    expect(conditionNode(newCondition("amount", "between", null), arityOf)).toBeNull();
  });

  it("days: an integer 1..3650", () => {
    expect(conditionNode(newCondition("close", "last_n_days", 7), arityOf)).toEqual({ field: "close", op: "last_n_days", value: 7 });
    expect(conditionNode(newCondition("close", "last_n_days", "30"), arityOf)).toEqual({ field: "close", op: "last_n_days", value: 30 });
    expect(conditionNode(newCondition("close", "last_n_days", 0), arityOf)).toBeNull();
    expect(conditionNode(newCondition("close", "last_n_days", 3651), arityOf)).toBeNull();
    expect(conditionNode(newCondition("close", "last_n_days", 1.5), arityOf)).toBeNull();
  });

  it("a row without field or operator is incomplete", () => {
    expect(conditionNode(newCondition("", "eq", "x"), arityOf)).toBeNull();
    expect(conditionNode(newCondition("name", "", "x"), arityOf)).toBeNull();
  });
});

describe("filterModel: groups", () => {
  it("empty state is no filter", () => {
    expect(toFilter(emptyState(), arityOf)).toBeNull();
    expect(fromFilter(null).items).toEqual([]);
  });

  it("drops incomplete rows and groups left empty", () => {
    const state = emptyState();
    state.items.push(newCondition("name", "contains", "ac"), newCondition("name", "eq", ""), newGroup("or", [newCondition("qty", "gt", null)]));
    expect(toFilter(state, arityOf)).toEqual({ and: [{ field: "name", op: "contains", value: "ac" }] });
  });

  it("builds nested and/or groups", () => {
    const state = emptyState();
    state.conj = "or";
    state.items.push(
      newCondition("vip", "eq", true),
      newGroup("and", [newCondition("stage", "in", ["A"]), newCondition("amount", "between", [10, 20])]),
    );
    expect(toFilter(state, arityOf)).toEqual({
      or: [
        { field: "vip", op: "eq", value: true },
        { and: [{ field: "stage", op: "in", value: ["A"] }, { field: "amount", op: "between", value: [10, 20] }] },
      ],
    });
  });

  it("round-trips filters through the builder", () => {
    const filters: FilterNode[] = [
      { and: [{ field: "name", op: "eq", value: "x" }] },
      { or: [{ field: "close", op: "today" }, { field: "close", op: "last_n_days", value: 7 }] },
      { and: [{ field: "tags", op: "contains", value: ["a", "b"] }, { or: [{ field: "qty", op: "gt", value: 1 }, { field: "name", op: "is_empty" }] }] },
      { and: [{ field: "amount", op: "between", value: [1, 2] }, { not: { field: "name", op: "eq", value: "y" } }] },
      // deeper than one group level is kept as it is
      { and: [{ or: [{ and: [{ field: "qty", op: "gt", value: 1 }, { field: "qty", op: "lt", value: 9 }] }, { field: "vip", op: "eq", value: false }] }] },
    ];
    for (const filter of filters) expect(toFilter(fromFilter(filter), arityOf)).toEqual(filter);
  });

  it("reads a single leaf or a not as a top-level and", () => {
    expect(strip(fromFilter({ field: "name", op: "eq", value: "x" }))).toEqual({ kind: "group", conj: "and", items: [{ kind: "cond", field: "name", op: "eq", value: "x" }] });
    const state = fromFilter({ not: { field: "name", op: "eq", value: "x" } });
    expect(state.items[0].kind).toBe("raw");
    expect(toFilter(state, arityOf)).toEqual({ and: [{ not: { field: "name", op: "eq", value: "x" } }] });
  });

  it("reads groups one level deep as editable groups, state round trip", () => {
    const state = fromFilter({ and: [{ field: "name", op: "eq", value: "x" }, { or: [{ field: "qty", op: "is_empty" }] }] });
    expect(state.items.map((i) => i.kind)).toEqual(["cond", "group"]);
    expect(strip(fromFilter(toFilter(state, arityOf)))).toEqual(strip(state));
  });

  it("counts conditions and combines filters", () => {
    expect(countConditions({ and: [{ field: "a", op: "eq", value: 1 }, { or: [{ field: "b", op: "today" }, { not: { field: "c", op: "is_empty" } }] }] })).toBe(3);
    expect(countConditions(null)).toBe(0);
    expect(andFilters(null, undefined)).toBeNull();
    const f = { field: "a", op: "eq", value: 1 };
    expect(andFilters(f, null)).toEqual(f);
    expect(andFilters(f, f)).toEqual({ and: [f, f] });
  });
});
