import { describe, expect, it } from "vitest";
import { cleanRule, REGEX_PRESETS, validPattern } from "@/components/rules/presets";

const sample: Record<string, [string[], string[]]> = {
  mobile: [["13812345678", "19900001111"], ["12812345678", "1381234567", "138123456789", "+8613812345678"]],
  email: [["a@b.cn", "li.si@example.com.cn"], ["a@b", "a b@c.cn", "@c.cn"]],
  postcode: [["100080", "310000"], ["10008", "1000800", "10008A"]],
  uscc: [["91330106MA2B3C4D5E", "11100000000013127J"], ["91330106MA2B3C4D5", "9133010IMA2B3C4D5E", "91330106ma2b3c4d5e"]],
};

describe("regex presets", () => {
  it("accept what they should and refuse the rest", () => {
    for (const p of REGEX_PRESETS) {
      const re = new RegExp(p.pattern);
      const [good, bad] = sample[p.id];
      for (const v of good) expect(re.test(v), `${p.id}: ${v}`).toBe(true);
      for (const v of bad) expect(re.test(v), `${p.id}: ${v}`).toBe(false);
      expect(p.message["zh-CN"]).toBeTruthy();
      expect(p.message.en).toBeTruthy();
    }
  });

  it("tell broken patterns and drop empty bounds and messages", () => {
    expect(validPattern("^[a-z]+$")).toBe(true);
    expect(validPattern("([a-z]")).toBe(false);
    expect(cleanRule({ kind: "length", min: 2, max: null, message: "" })).toEqual({ kind: "length", min: 2 });
    expect(cleanRule({ kind: "range", min: 0, max: 10 })).toEqual({ kind: "range", min: 0, max: 10 });
  });
});
