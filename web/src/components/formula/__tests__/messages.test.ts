import { describe, expect, it } from "vitest";
import { createI18n } from "vue-i18n";
import formula from "@/i18n/modules/formula";

function leaves(obj: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (typeof v === "string" ? [`${prefix}${k}`] : leaves(v as Record<string, unknown>, `${prefix}${k}.`)));
}

describe("formula messages", () => {
  it("compile in both locales (literal braces escaped) and have the same keys", () => {
    const zh = leaves(formula["zh-CN"]);
    expect(leaves(formula.en)).toEqual(zh);
    for (const locale of ["zh-CN", "en"] as const) {
      const i18n = createI18n({ legacy: false, locale, messages: { [locale]: formula[locale] } });
      for (const key of zh) expect(() => i18n.global.t(key, { field: "f", kind: "k", value: "v", n: 1, message: "m", line: 1, col: 1 })).not.toThrow();
    }
    const i18n = createI18n({ legacy: false, locale: "zh-CN", messages: { "zh-CN": formula["zh-CN"] } });
    expect(i18n.global.t("formula.placeholder")).toBe("例如：{数量} * {单价}");
  });
});
