import { describe, expect, it } from "vitest";
import { createPinia, setActivePinia } from "pinia";
import type { Field } from "@/api/types";
import { formatValue } from "@/fields";
import { cellFromText, childFields, parseTsv, rowsFromPaste, rowsToCsv } from "@/fields/subform/rows";

const LINES: Field = {
  id: 7, key: "lines", label: "明细", type: "subform", required: false, unique: false, indexed: false, position: 0,
  operators: [], sortable: false,
  settings: {
    min_rows: 1, max_rows: 3,
    columns: [
      { id: 1, key: "product", label: "产品", type: "text", settings: {}, required: true },
      { id: 2, key: "qty", label: "数量", type: "number", settings: { precision: 0 }, required: false },
      { id: 3, key: "discount", label: "折扣", type: "percent", settings: {}, required: false },
      { id: 4, key: "paid", label: "已付", type: "boolean", settings: {}, required: false },
    ],
  },
};

describe("sub-form rows", () => {
  setActivePinia(createPinia());
  const cols = childFields(LINES);

  it("builds child fields once per settings object", () => {
    expect(cols.map((c) => [c.key, c.type, c.required])).toEqual([
      ["product", "text", true], ["qty", "number", false], ["discount", "percent", false], ["paid", "boolean", false],
    ]);
    expect(childFields(LINES)).toBe(cols);
  });

  it("parses Excel's clipboard text, quoted cells included, and skips a header", () => {
    expect(parseTsv('a\t"b\tc"\r\n"x ""y"""\t2\n\n')).toEqual([["a", "b\tc"], ['x "y"', "2"]]);
    const rows = rowsFromPaste(cols, "产品\t数量\t折扣\t已付\n螺丝\t1,200\t15%\t是\n螺母\tabc\t0.2\t否\n");
    expect(rows).toEqual([
      { product: "螺丝", qty: 1200, discount: 0.15, paid: true },
      { product: "螺母", qty: "abc", discount: 0.2, paid: false },
    ]);
  });

  it("turns pasted text into what the column's editor takes", () => {
    const [, qty, , paid] = cols;
    expect(cellFromText(qty, " ")).toBeNull();
    expect(cellFromText(paid, "TRUE")).toBe(true);
    expect(cellFromText({ ...qty, type: "date" }, "2024/1/5")).toBe("2024-01-05");
  });

  it("exports rows as CSV with neutralised formulas", () => {
    const csv = rowsToCsv(cols, [{ product: "=1+1", qty: 3, discount: 0.5, paid: true }]);
    expect(csv.split("\r\n")[0]).toBe("\ufeff产品,数量,折扣,已付");
    expect(csv.split("\r\n")[1]).toBe("'=1+1,3,50%,是");
  });

  it("shows a row count in table cells", () => {
    expect(formatValue(LINES, [{}, {}, {}])).toMatch(/^3 (行|rows)$/);
  });
});
