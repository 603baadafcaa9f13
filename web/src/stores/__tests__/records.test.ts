import { beforeEach, describe, expect, it, vi } from "vitest";
import { createPinia, setActivePinia } from "pinia";
import type { RecordItem } from "@/api/types";
import { formatSort, listQuery, parseSort, useRecordsStore } from "@/stores/records";

function reply(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}
const rec: RecordItem = { id: 7, version: 3, created_at: "", updated_at: "", created_by: 1, updated_by: 1, owner: 1, data: { stage: "A" } };

describe("records store", () => {
  beforeEach(() => setActivePinia(createPinia()));

  it("builds the list query: JSON filter, sort, trimmed search, cursor, total", () => {
    const q = new URLSearchParams(listQuery({ filter: { field: "a", op: "eq", value: 1 }, sort: "-amount,name", q: "  acme ", limit: 20, cursor: "c1" }));
    expect(JSON.parse(q.get("filter")!)).toEqual({ field: "a", op: "eq", value: 1 });
    expect(q.get("sort")).toBe("-amount,name");
    expect(q.get("q")).toBe("acme");
    expect(q.get("limit")).toBe("20");
    expect(q.get("cursor")).toBe("c1");
    expect(q.get("total")).toBe("true");
    expect(new URLSearchParams(listQuery({ q: " ", total: false })).has("q")).toBe(false);
  });

  it("parses and formats multi-column sorts", () => {
    expect(parseSort("-amount, name,")).toEqual([{ key: "amount", desc: true }, { key: "name", desc: false }]);
    expect(formatSort(parseSort("-amount,name"))).toBe("-amount,name");
    expect(parseSort(undefined)).toEqual([]);
  });

  it("sends the version read and reports a conflict with the fresh record", async () => {
    const bodies: unknown[] = [];
    vi.stubGlobal("fetch", vi.fn(async (_url: string, init: RequestInit) => {
      if (init.method === "PATCH") {
        bodies.push(JSON.parse(String(init.body)));
        return reply(409, { error: { code: "version_conflict", message: "changed", details: [] } });
      }
      return reply(200, { ...rec, version: 4, data: { stage: "B" } });
    }));
    const result = await useRecordsStore().update(5, rec, { stage: "C" });
    expect(bodies[0]).toEqual({ data: { stage: "C" }, version: 3 });
    expect(result.ok).toBe(false);
    if (!result.ok && result.conflict) expect(result.record?.data.stage).toBe("B");
    else throw new Error("expected a conflict");
  });

  it("maps validation errors to field keys", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => reply(422, { error: { code: "validation_failed", message: "bad", details: [{ field: "phone", code: "invalid_phone", message: "not a phone" }] } })));
    const result = await useRecordsStore().update(5, rec, { phone: "1" });
    if (!result.ok && !result.conflict) expect(result.errors).toEqual({ phone: "not a phone" });
    else throw new Error("expected validation errors");
  });
});
