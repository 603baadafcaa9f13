import { describe, expect, it } from "vitest";
import type { Field } from "@/api/types";
import { chooserColumns, chosenKeys } from "@/components/io/exportColumns";

const f = (key: string): Field => ({
  id: 1, key, label: key, type: "text", required: false, unique: false, indexed: false, settings: {}, position: 0, operators: [], sortable: true,
});
const FIELDS = ["name", "phone", "city", "id"].map(f);

describe("export template columns", () => {
  it("puts the chosen columns first, in their order, and the rest after, unticked", () => {
    const cols = chooserColumns(FIELDS, ["city", "name"]);
    expect(cols).toEqual([{ key: "city" }, { key: "name" }, { key: "phone", hidden: true }, { key: "id", hidden: true }]);
    expect(chosenKeys(cols)).toEqual(["city", "name"]);
  });

  it("drops keys of removed fields and repeats", () => {
    expect(chosenKeys(chooserColumns(FIELDS, ["gone", "phone", "phone"]))).toEqual(["phone"]);
  });
});
