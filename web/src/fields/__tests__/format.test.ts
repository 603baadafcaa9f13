import { describe, expect, it } from "vitest";
import { createPinia, setActivePinia } from "pinia";
import type { Field } from "@/api/types";
import { formatValue } from "@/fields";

function field(type: string, settings: Record<string, unknown> = {}): Field {
  return { id: 1, key: "k", label: "K", type, required: false, unique: false, indexed: false, settings, position: 0, operators: [], sortable: true };
}

describe("formatValue", () => {
  setActivePinia(createPinia());

  it("shows percent fractions as percentages", () => {
    expect(formatValue(field("percent", { precision: 1 }), 0.155)).toBe("15.5%");
  });

  it("shows money with the currency sign and its precision", () => {
    expect(formatValue(field("money", { precision: 2, currency: "CNY" }), 120000)).toBe("¥120,000.00");
  });

  it("joins multiselect values and leaves empty values blank", () => {
    expect(formatValue(field("multiselect"), ["A", "B"])).toBe("A、B");
    expect(formatValue(field("text"), null)).toBe("");
    expect(formatValue(field("multiselect"), [])).toBe("");
  });

  it("names booleans in the UI language", () => {
    expect(formatValue(field("boolean"), true)).toBe("是");
  });
});
