import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { nextTick, ref } from "vue";
import type { Field, Form } from "@/api/types";

const calls: { path: string; body: any }[] = [];
let answer: (body: any) => any = () => ({});
vi.mock("@/api/client", async (orig) => {
  const real = await orig<typeof import("@/api/client")>();
  return {
    ...real,
    api: vi.fn(async (_method: string, path: string, body: any) => {
      calls.push({ path, body: JSON.parse(JSON.stringify(body)) });
      return answer(body);
    }),
  };
});

const { cascadeChoices, inputsOf, mergeEvaluation, needsEvaluation, substituteFilter, useFormRuntime, visibleLayout } = await import("@/composables/useFormRuntime");

let nextId = 1;
function field(key: string, type: string, settings: Record<string, any> = {}, required = false): Field {
  return { id: nextId++, key, label: key, type, required, unique: false, indexed: false, settings, position: nextId, operators: [], sortable: false };
}

function quoteForm(): Form {
  return {
    id: 9, app_id: 1, name: "Quote", description: "", position: 0, created_at: "", updated_at: "",
    settings: {},
    fields: [
      field("customer", "relation", { target_form_id: 3, fill: [{ target: "address", source: "addr" }] }),
      field("address", "text"),
      field("qty", "number"),
      field("price", "number"),
      field("total", "formula", { expression: "qty * price", format: "money" }),
      field("due", "date", { default_formula: "TODAY()" }),
      field("lines", "subform", { fields: [field("n", "number"), field("sub", "formula", { expression: "n * 2" })] }),
    ],
  };
}

async function flush(ms = 0): Promise<void> {
  await nextTick();
  await vi.advanceTimersByTimeAsync(ms);
  await nextTick();
}

beforeEach(() => {
  vi.useFakeTimers();
  calls.length = 0;
  answer = () => ({});
});
afterEach(() => vi.useRealTimers());

describe("useFormRuntime", () => {
  it("debounces typing into one evaluation with the latest draft (computed values not sent)", async () => {
    const form = ref<Form | null>(quoteForm());
    const draft = ref<Record<string, unknown>>({ qty: null, price: null, total: null, lines: [] });
    useFormRuntime(form, draft, { recordId: () => null });
    await flush(200);
    expect(calls).toHaveLength(1);
    for (const q of [1, 12, 123]) {
      draft.value = { ...draft.value, qty: q };
      await flush(50);
    }
    expect(calls).toHaveLength(1);
    await flush(200);
    expect(calls).toHaveLength(2);
    expect(calls[1].path).toBe("/forms/9/records/evaluate");
    expect(calls[1].body.data.qty).toBe(123);
    expect("total" in calls[1].body.data).toBe(false);
    expect(calls[1].body.record_id).toBeUndefined();
  });

  it("applies computed values without asking again, and keeps only the latest answer", async () => {
    const form = ref<Form | null>(quoteForm());
    const draft = ref<Record<string, unknown>>({ qty: 2, price: 3, total: null, lines: [] });
    let n = 0;
    answer = (body) => ({ values: { total: body.data.qty * body.data.price, seq: ++n } });
    useFormRuntime(form, draft, { recordId: () => 5 });
    await flush(200);
    expect(draft.value.total).toBe(6);
    expect(calls[0].body.record_id).toBe(5);
    await flush(500);
    // the computed value changed the draft, not its inputs: no second request
    expect(calls).toHaveLength(1);
  });

  it("puts computed row cells back when an editor writes back rows without them", async () => {
    const form = ref<Form | null>(quoteForm());
    const draft = ref<Record<string, unknown>>({ qty: 1, price: 1, total: null, lines: [{ n: 2, sub: null }] });
    answer = (body) => ({ values: { total: 1, lines: body.data.lines.map((r: any) => ({ ...r, sub: r.n * 2 })) } });
    useFormRuntime(form, draft, { recordId: () => null });
    await flush(200);
    expect((draft.value.lines as any[])[0].sub).toBe(4);
    // the sub-form editor emits its own (older) copy of the rows: same inputs, no computed cell
    draft.value = { ...draft.value, lines: [{ n: 2, sub: null }] };
    await flush(500);
    expect((draft.value.lines as any[])[0].sub).toBe(4);
    expect(calls).toHaveLength(1); // restored from the last answer, not asked again
  });

  it("does not call the server for a form with nothing to evaluate", async () => {
    const form = ref<Form | null>({ ...quoteForm(), fields: [field("a", "text"), field("b", "number")] });
    const draft = ref<Record<string, unknown>>({ a: "" });
    useFormRuntime(form, draft);
    draft.value = { a: "x" };
    await flush(500);
    expect(calls).toHaveLength(0);
  });

  it("sends the changed relation and applies its fills; rule errors only on touched fields", async () => {
    const form = ref<Form | null>(quoteForm());
    const draft = ref<Record<string, unknown>>({ customer: null, address: "", qty: null, lines: [] });
    answer = (body) => ({
      fills: body.changed === "customer" ? { address: "上海市浦东新区" } : {},
      errors: [{ field: "qty", code: "rule", message: "数量必须大于 0" }, { field: "", code: "rule", message: "整体错误" }],
      visible: { price: false },
      required: { qty: true },
    });
    const rt = useFormRuntime(form, draft, { recordId: () => null });
    await flush(200);
    expect(rt.errors.value).toEqual({});
    expect(rt.formErrors.value).toEqual(["整体错误"]);
    expect(rt.hiddenKeys.value).toEqual(["price"]);
    expect(rt.form.value!.fields.find((f) => f.key === "qty")!.required).toBe(true);
    draft.value = { ...draft.value, customer: 17, qty: 0 };
    await flush(200);
    expect(calls[1].body.changed).toBe("customer");
    expect(draft.value.address).toBe("上海市浦东新区");
    expect(rt.errors.value).toEqual({ qty: "数量必须大于 0" });
  });
});

describe("mergeEvaluation", () => {
  const fields = quoteForm().fields;

  it("defaults fill untouched fields only; values only computed fields", () => {
    const out = { values: { total: 10, qty: 99 }, defaults: { due: "2026-12-01", address: "x" } };
    const { data, changed } = mergeEvaluation(fields, { total: null, qty: 1, due: null, address: "" }, out, new Set(["address"]), false);
    expect(changed).toBe(true);
    expect(data).toEqual({ total: 10, qty: 1, due: "2026-12-01", address: "" });
  });

  it("merges sub-form rows column by column, keeping what the user typed meanwhile", () => {
    const draft = { lines: [{ n: 5, sub: null }, { n: 7, sub: null }] };
    const out = { values: { lines: [{ n: 4, sub: 8 }, { n: 7, sub: 14 }] } };
    const { data } = mergeEvaluation(fields, draft, out, new Set(), false);
    expect(data.lines).toEqual([{ n: 5, sub: 8 }, { n: 7, sub: 14 }]);
    // a row added since the request: wait for the next answer
    const added = mergeEvaluation(fields, { lines: [{ n: 1 }, { n: 2 }, { n: 3 }] }, out, new Set(), false);
    expect(added.changed).toBe(false);
  });

  it("fills only when asked for", () => {
    const out = { fills: { address: "北京" } };
    expect(mergeEvaluation(fields, { address: "" }, out, new Set(), false).data.address).toBe("");
    expect(mergeEvaluation(fields, { address: "旧" }, out, new Set(["address"]), true).data.address).toBe("北京");
  });
});

describe("local linkage", () => {
  it("inputsOf leaves computed fields and sub-form formula columns out", () => {
    const fields = quoteForm().fields;
    expect(inputsOf(fields, { qty: 1, total: 5, lines: [{ n: 1, sub: 2 }] })).toMatchObject({ qty: 1, lines: [{ n: 1 }] });
  });

  it("substitutes $field values and drops conditions on empty fields", () => {
    const filter = { and: [{ field: "category", op: "eq", value: "$field:cat" }, { field: "active", op: "eq", value: true }, { field: "region", op: "eq", value: "$field:region" }] };
    expect(substituteFilter(filter, { cat: "电脑", region: null })).toEqual({ and: [{ field: "category", op: "eq", value: "电脑" }, { field: "active", op: "eq", value: true }] });
    expect(substituteFilter({ field: "x", op: "eq", value: "$field:a" }, {})).toBeNull();
  });

  it("cascades options by parent value; options without parents always show", () => {
    const choices = [
      { id: "1", label: "杭州", color: "", parents: ["浙江"] },
      { id: "2", label: "广州", color: "", parents: ["广东"] },
      { id: "3", label: "其他", color: "" },
    ];
    expect(cascadeChoices(choices, "浙江").map((c) => c.label)).toEqual(["杭州", "其他"]);
    expect(cascadeChoices(choices, null).map((c) => c.label)).toEqual(["其他"]);
    expect(cascadeChoices(choices, ["浙江", "广东"]).map((c) => c.label)).toEqual(["杭州", "广州", "其他"]);
  });

  it("a hidden section hides the rows up to the next section", () => {
    const rows = [
      { items: [{ kind: "field" as const, field_id: 1, span: 24 }] },
      { items: [{ kind: "section" as const, title: "A", id: "s1" }] },
      { items: [{ kind: "field" as const, field_id: 2, span: 24 }] },
      { items: [{ kind: "section" as const, title: "B" }] },
      { items: [{ kind: "field" as const, field_id: 3, span: 24 }] },
    ];
    expect(visibleLayout(rows, { s1: false }).length).toBe(3);
    expect(visibleLayout(rows, { s1: true }).length).toBe(5);
  });

  it("knows when a form needs the server", () => {
    expect(needsEvaluation({ fields: [field("a", "text", { visible_when: "b > 1" })], settings: {} })).toBe(true);
    expect(needsEvaluation({ fields: [field("a", "text")], settings: { rules: [{ enabled: false }] } })).toBe(false);
    expect(needsEvaluation({ fields: [field("a", "text")], settings: { rules: [{ enabled: true }] } })).toBe(true);
  });
});
