import { describe, expect, it } from "vitest";
import type { RecordItem } from "@/api/types";
import { defaultChoices, defaultSurvivor, differingKeys, isBlank, mergeValues, mergedData, sameValue } from "@/utils/merge";

function rec(id: number, data: Record<string, unknown>, created = `2024-01-0${id}T00:00:00Z`): RecordItem {
  return { id, version: 1, created_at: created, updated_at: created, created_by: 1, updated_by: 1, owner: 1, data };
}

const KEYS = ["name", "phone", "city", "tags"];
const a = rec(1, { name: "深圳市腾达科技有限公司", phone: "", city: "深圳", tags: [] });
const b = rec(2, { name: "深圳腾达科技", phone: "13800138000", city: "深圳", tags: ["vip"] });
const c = rec(3, { name: "腾达科技", phone: "13900139000", city: null, tags: [] });

describe("merge helpers", () => {
  it("treats null, blank text and empty lists as blank", () => {
    expect([null, undefined, "", "  ", [], {}].every(isBlank)).toBe(true);
    expect([0, false, "x", ["a"], { a: 1 }].some(isBlank)).toBe(false);
    expect(sameValue(null, "")).toBe(true);
    expect(sameValue(["a"], ["a"])).toBe(true);
    expect(sameValue("a", "b")).toBe(false);
  });

  it("keeps the most complete record, the oldest on a tie", () => {
    expect(defaultSurvivor([a, b, c], KEYS)).toBe(2);
    const d = rec(4, { name: "x", phone: "1", city: "y", tags: ["z"] }, "2023-12-31T00:00:00Z");
    expect(defaultSurvivor([b, d], KEYS)).toBe(4);
    expect(defaultSurvivor([rec(9, { name: "a" }), rec(5, { name: "b" }, "2024-01-09T00:00:00Z")], KEYS)).toBe(5);
    expect(defaultSurvivor([], KEYS)).toBe(0);
  });

  it("chooses the survivor's value, else the first filled one", () => {
    expect(defaultChoices([a, b, c], 1, KEYS)).toEqual({ name: 1, phone: 2, city: 1, tags: 2 });
    expect(defaultChoices([a, b, c], 3, KEYS)).toEqual({ name: 3, phone: 3, city: 1, tags: 2 });
    // nobody has a value: the survivor's (blank) stays
    expect(defaultChoices([a, c], 3, ["tags"])).toEqual({ tags: 3 });
  });

  it("keeps the user's own choices when the survivor changes", () => {
    expect(defaultChoices([a, b, c], 2, KEYS, { phone: 3, name: 99 })).toEqual({ name: 2, phone: 3, city: 2, tags: 2 });
  });

  it("sends only values that differ from the survivor's", () => {
    const choices = { name: 1, phone: 3, city: 1, tags: 2 };
    expect(mergeValues([a, b, c], 1, choices)).toEqual({ phone: "13900139000", tags: ["vip"] });
    // a blank chosen over a value clears it
    expect(mergeValues([a, b, c], 2, { city: 3, name: 2 })).toEqual({ city: null });
    // the same value from another record is no change
    expect(mergeValues([a, b], 1, { city: 2 })).toEqual({});
    expect(mergedData([a, b, c], 1, choices)).toEqual({ name: "深圳市腾达科技有限公司", phone: "13900139000", city: "深圳", tags: ["vip"] });
  });

  it("lists the fields whose values differ", () => {
    expect(differingKeys([a, b, c], KEYS)).toEqual(["name", "phone", "city", "tags"]);
    expect(differingKeys([a, b], KEYS)).toEqual(["name", "phone", "tags"]);
  });
});
