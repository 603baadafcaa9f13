import { describe, expect, it } from "vitest";
import { buildScope } from "../formulaScope";
import { codePointToUtf16, errorRange, lineCol, pieces, referenceText, tokenize, toKeys, toLabels, type ScopeField } from "../formulaText";

const scope: ScopeField[] = buildScope(
  [
    { key: "qty", label: "数量", type: "number" },
    { key: "price", label: "单价", type: "money" },
    { key: "discount", label: "折扣", type: "percent" },
    { key: "start_date", label: "开始日期", type: "date" },
    { key: "note", label: "备注{旧}", type: "text" },
    { key: "a1", label: "重复", type: "text" },
    { key: "a2", label: "重复", type: "text" },
    { key: "gone", label: "已删除", type: "text", deleted_at: "2026-01-01" },
    {
      key: "lines", label: "明细", type: "subform",
      settings: { fields: [{ key: "qty", label: "数量", type: "number" }, { key: "subtotal", label: "小计", type: "formula" }] },
    },
    { key: "customer", label: "客户", type: "relation", settings: { target_form_id: 7 } },
  ],
  { 7: [{ key: "city", label: "城市", type: "text" }, { key: "name", label: "名称", type: "text" }] },
);

describe("tokenize", () => {
  it("splits like the grammar: strings with doubled quotes, labels, names, numbers, errors, operators", () => {
    const toks = tokenize('IF({数量}>=1.5e2,"a""b",#DIV/0!) & x');
    expect(toks.filter((t) => t.kind !== "space").map((t) => [t.kind, t.text])).toEqual([
      ["name", "IF"], ["lpar", "("], ["label", "{数量}"], ["op", ">="], ["number", "1.5e2"], ["comma", ","],
      ["string", '"a""b"'], ["comma", ","], ["error", "#DIV/0!"], ["rpar", ")"], ["op", "&"], ["name", "x"],
    ]);
  });

  it("an unterminated string runs to the end; unknown characters are single bad tokens", () => {
    expect(tokenize('"abc + 1').map((t) => t.kind)).toEqual(["string"]);
    expect(tokenize("a ; b").map((t) => t.kind)).toEqual(["name", "space", "bad", "space", "name"]);
  });
});

describe("pieces", () => {
  it("tells function calls from references (a name before '(' is a function, even with spaces)", () => {
    const ps = pieces("SUM (lines.subtotal) + qty", scope);
    expect(ps.filter((p) => p.kind === "func").map((p) => (p.kind === "func" ? p.token.text : ""))).toEqual(["SUM"]);
    const refs = ps.filter((p) => p.kind === "ref");
    expect(refs).toHaveLength(2);
    if (refs[0].kind === "ref") expect(refs[0].segments.map((s) => s.field?.key)).toEqual(["lines", "subtotal"]);
  });

  it("leaves names it cannot resolve unresolved (deleted fields included)", () => {
    const [p] = pieces("gone", scope);
    expect(p.kind === "ref" && p.segments[0].field).toBeNull();
  });
});

describe("keys <-> labels", () => {
  it("shows keys as labels, sub-form columns and related fields included", () => {
    expect(toLabels("qty * price * (1 - discount)", scope)).toBe("{数量} * {单价} * (1 - {折扣})");
    expect(toLabels("SUM(lines.subtotal)", scope)).toBe("SUM({明细}.{小计})");
    expect(toLabels("customer.city & \"市\"", scope)).toBe('{客户}.{城市} & "市"');
  });

  it("stores labels as keys, whatever the spacing inside braces", () => {
    expect(toKeys("{数量} * { 单价 } * (1 - {折扣})", scope)).toBe("qty * price * (1 - discount)");
    expect(toKeys("SUM({明细}.{小计}) + {客户}.{城市}", scope)).toBe("SUM(lines.subtotal) + customer.city");
    // a label may name a key too
    expect(toKeys("{qty}", scope)).toBe("qty");
  });

  it("never touches strings, function names or numbers", () => {
    const text = 'IF(qty > 10, "qty 数量 {数量}", TODAY())';
    expect(toLabels(text, scope)).toBe('IF({数量} > 10, "qty 数量 {数量}", TODAY())');
    expect(toKeys(toLabels(text, scope), scope)).toBe(text);
  });

  it("keeps keys where a label cannot be written or is ambiguous", () => {
    expect(toLabels("note & a1 & a2", scope)).toBe("note & a1 & a2");
    expect(toKeys("{重复}", scope)).toBe("{重复}");
  });

  it("keeps unknown names as typed, for the server to report", () => {
    expect(toKeys("{不存在} + {明细}.{不存在}", scope)).toBe("{不存在} + lines.{不存在}");
    expect(toLabels("nope.qty + lines.nope", scope)).toBe("nope.qty + {明细}.nope");
  });

  it("round-trips", () => {
    const keys = "ROUND(SUM(lines.subtotal) * (1 - discount), 2) & customer.name";
    expect(toKeys(toLabels(keys, scope), scope)).toBe(keys);
  });

  it("writes a picked field as its path", () => {
    const lines = scope.find((f) => f.key === "lines")!;
    expect(referenceText([lines, lines.children![1]], scope)).toBe("{明细}.{小计}");
    expect(referenceText([scope.find((f) => f.key === "a1")!], scope)).toBe("a1");
  });
});

describe("error ranges", () => {
  it("maps code points (the server's offsets) to UTF-16 indices", () => {
    expect(codePointToUtf16("{数量}", 3)).toBe(3);
    // an astral character is one code point but two UTF-16 units
    const text = '"😀" & {数量}';
    expect(codePointToUtf16(text, 4)).toBe(5);
    expect(text.slice(codePointToUtf16(text, 6), codePointToUtf16(text, 10))).toBe("{数量}");
  });

  it("never returns an empty range, and clamps to the text", () => {
    expect(errorRange("qty +", 5, 5)).toEqual({ start: 4, end: 5 });
    expect(errorRange("qty + 1", 0, 3)).toEqual({ start: 0, end: 3 });
    expect(errorRange("qty", 1, 99)).toEqual({ start: 1, end: 3 });
    expect(errorRange("qty", 1, undefined)).toEqual({ start: 1, end: 2 });
    expect(errorRange("qty", undefined, undefined)).toBeNull();
  });

  it("reports line and column in multi-line formulas", () => {
    expect(lineCol("IF(a,\n  b)", 8)).toEqual({ line: 2, col: 3 });
  });
});

describe("function search", async () => {
  const { groupFunctions } = await import("../formulaApi");
  const fn = (name: string, category: string, summary = "") => ({ name, category, signature: `${name}()`, summary, examples: [] });
  const all = [fn("SUMIF", "aggregate", "条件求和"), fn("SUMIFS", "aggregate"), fn("ROUND", "math"), fn("SUM", "math", "求和"), fn("DSUM", "math")];

  it("groups by category in the server's order without a search", () => {
    expect(groupFunctions(all, "").map((g) => g.category)).toEqual(["aggregate", "math"]);
  });

  it("puts the exact name first, then prefixes, and searches summaries", () => {
    const groups = groupFunctions(all, "sum");
    expect(groups[0].category).toBe("math");
    expect(groups[0].items.map((f) => f.name)).toEqual(["SUM", "DSUM"]);
    expect(groupFunctions(all, "条件").flatMap((g) => g.items.map((f) => f.name))).toEqual(["SUMIF"]);
  });
});
