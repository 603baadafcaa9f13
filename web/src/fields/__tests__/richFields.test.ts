import { describe, expect, it } from "vitest";
import { createPinia, setActivePinia } from "pinia";
import type { Field } from "@/api/types";
import { formatValue } from "@/fields";
import { checkChar, idcardInfo } from "@/fields/idcard";
import { cleanHtml } from "@/fields/richtext";
import { conditionNode, newCondition } from "@/components/filter/filterModel";

function field(type: string, settings: Record<string, unknown> = {}): Field {
  return { id: 1, key: "k", label: "K", type, required: false, unique: false, indexed: false, settings, position: 0, operators: [], sortable: true };
}

describe("rich field types", () => {
  setActivePinia(createPinia());

  it("derives birthday and gender from a valid ID number, as the server checks it", () => {
    expect(checkChar("11010519491231002")).toBe("X");
    expect(idcardInfo("11010519491231002x")).toEqual({ state: "valid", number: "11010519491231002X", birthday: "1949-12-31", gender: "female" });
    expect(idcardInfo("110105194912310021").state).toBe("checksum");
    expect(idcardInfo("11010519490230002X").state).toBe("incomplete"); // no 30 February
    expect(idcardInfo("1101051949").state).toBe("incomplete");
    expect(idcardInfo("320311770706001").state).toBe("incomplete");
    expect(idcardInfo("320311770706001", true)).toMatchObject({ state: "valid", birthday: "1977-07-06", gender: "male" });
  });

  it("formats ratings, locations, addresses and rich text as the server's display text", () => {
    expect(formatValue(field("rating"), 3)).toBe("★★★☆☆");
    expect(formatValue(field("rating", { max: 10, style: "fraction" }), 7)).toBe("7/10");
    expect(formatValue(field("location"), { lat: 39.9042, lng: 116.4074, address: "天安门" })).toBe("天安门 (39.904200, 116.407400)");
    expect(formatValue(field("address"), { province: "北京市", city: "市辖区", district: "朝阳区", street: "建国路" })).toBe("北京市朝阳区 建国路");
    expect(formatValue(field("address"), { province: "广东省", city: "深圳市", district: "南山区" })).toBe("广东省深圳市南山区");
    expect(formatValue(field("richtext"), "<h2>标题</h2><p>a &amp; b</p>")).toBe("标题 a & b");
  });

  it("cleans HTML again before showing it", () => {
    expect(cleanHtml('<p onclick="x()">a<script>alert(1)</script></p>')).toBe("<p>a</p>");
    expect(cleanHtml('<a href="javascript:alert(1)">x</a>')).toBe('<a rel="noopener noreferrer" target="_blank">x</a>');
    expect(cleanHtml('<img src="https://t.example/p.gif"><img src="/api/v1/files/7" onerror="x()">')).toBe('<img src="/api/v1/files/7">');
    expect(cleanHtml('<span style="color:red">t</span><svg onload="x()"></svg>')).toBe("t");
  });

  it("sends an object filter value only when every part is given", () => {
    const arity = () => "object" as const;
    expect(conditionNode(newCondition("loc", "within_km", { lat: 39.9, lng: 116.4, km: null }), arity)).toBeNull();
    expect(conditionNode(newCondition("loc", "within_km", { lat: 39.9, lng: 116.4, km: 5 }), arity)).toEqual({
      field: "loc", op: "within_km", value: { lat: 39.9, lng: 116.4, km: 5 },
    });
    expect(conditionNode(newCondition("ad", "eq", { province: "440000" }), arity)).toEqual({ field: "ad", op: "eq", value: { province: "440000" } });
  });
});
