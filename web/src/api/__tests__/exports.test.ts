import { describe, expect, it } from "vitest";
import { exportUrl } from "@/api/exports";

function params(url: string): Record<string, string> {
  const out: Record<string, string> = {};
  new URL(url, "http://x").searchParams.forEach((v, k) => (out[k] = v));
  return out;
}

describe("export URL", () => {
  it("carries the view's filter, sort, search and columns", () => {
    const url = exportUrl(7, {
      format: "xlsx", filter: { field: "city", op: "eq", value: "深圳" }, sort: "-amount", q: " 腾达 ", fields: ["name", "phone"], subforms: "rows",
    });
    expect(url.startsWith("/api/v1/forms/7/export?")).toBe(true);
    expect(params(url)).toEqual({
      format: "xlsx", filter: '{"field":"city","op":"eq","value":"深圳"}', sort: "-amount", q: "腾达", fields: "name,phone", subforms: "rows",
    });
  });

  it("lets a template choose the columns and leaves out what is not set", () => {
    expect(params(exportUrl(7, { format: "csv", template: 3, fields: ["name"], q: "  " }))).toEqual({ format: "csv", template: "3" });
  });
});
