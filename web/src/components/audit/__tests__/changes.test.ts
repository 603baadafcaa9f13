import { describe, expect, it } from "vitest";
import { changeRows, plainValue } from "../changes";
import { queryString } from "../auditApi";

describe("changeRows", () => {
  it("lists the field changes of a record update with their labels", () => {
    const rows = changeRows({
      action: "record_update",
      details: { changes: { phone: { label: "电话", before: "138", after: "139" } }, version: 3 },
    });
    expect(rows).toEqual([{ key: "phone", label: "电话", before: "138", after: "139" }]);
  });

  it("shows the values a record was created with", () => {
    const rows = changeRows({ action: "record_create", details: { values: { name: "甲" } } });
    expect(rows).toEqual([{ key: "name", label: "name", before: null, after: "甲" }]);
  });

  it("lists what a publish added, changed and removed", () => {
    const rows = changeRows({
      action: "form_publish",
      details: {
        fields: [
          { op: "add", key: "city", label: "城市", type: "text" },
          { op: "update", key: "name", label: "名称", changes: { label: { before: "名称", after: "客户名称" } } },
          { op: "delete", key: "fax", label: "传真" },
        ],
      },
    });
    expect(rows.map((r) => [r.op, r.label, r.before, r.after])).toEqual([
      ["add", "城市", null, "text"],
      ["update", "名称 · label", "名称", "客户名称"],
      ["delete", "传真", "传真", null],
    ]);
  });

  it("diffs the snapshots of an organisation change", () => {
    const rows = changeRows({
      action: "org_change",
      details: { op: "update", before: { name: "销售", parent: 1 }, after: { name: "销售一部", parent: 1 } },
    });
    expect(rows).toEqual([{ key: "name", label: "name", before: "销售", after: "销售一部" }]);
  });

  it("has nothing for entries without changes", () => {
    expect(changeRows({ action: "login", details: {} })).toEqual([]);
  });
});

describe("plainValue", () => {
  it("writes values as short text", () => {
    expect(plainValue(null)).toBe("—");
    expect(plainValue(["a", "b"])).toBe("a、b");
    expect(plainValue(true)).toBe("✓");
    expect(plainValue({ a: 1 })).toBe('{"a":1}');
    expect(plainValue(12.5)).toBe("12.5");
  });
});

describe("queryString", () => {
  it("leaves out empty filters and joins actions", () => {
    expect(queryString({ action: ["login", "logout"], q: "  ", user_id: 3 }, { limit: 50, cursor: null })).toBe(
      "?user_id=3&action=login%2Clogout&limit=50",
    );
    expect(queryString({})).toBe("");
  });
});
