import { beforeEach, describe, expect, it, vi } from "vitest";
import { createPinia, setActivePinia } from "pinia";
import type { Field, Form } from "@/api/types";
import {
  blankData,
  changedData,
  createData,
  effectiveLayout,
  extractMentions,
  mentionSegments,
  relatedFilter,
  requiredErrors,
  useRecordStore,
} from "@/stores/record";
import { recordTitle, relationIds, titleField } from "@/stores/titles";
import messages from "@/i18n/modules/record";

function field(id: number, key: string, type = "text", extra: Partial<Field> = {}): Field {
  return {
    id, key, type, label: key.toUpperCase(), required: false, unique: false, indexed: false,
    settings: {}, position: id, operators: [], sortable: true, ...extra,
  };
}

function form(fields: Field[], settings: Form["settings"] = {}): Form {
  return { id: 7, app_id: 1, name: "客户", description: "", position: 0, settings, created_at: "", updated_at: "", fields };
}

function reply(status: number, body: unknown): Response {
  return new Response(body === null ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

const name = field(1, "name");
const no = field(2, "no", "autonumber");
const email = field(3, "email", "email", { required: true });
const gone = field(4, "old", "text", { deleted_at: "2024-01-01T00:00:00Z" });
const customer = field(5, "customer", "relation", { settings: { target_form_id: 9 } });

describe("record helpers", () => {
  it("lays out the designer's rows, drops deleted and repeated fields, appends unplaced ones", () => {
    const f = form([name, no, email, gone], {
      layout: [
        { items: [{ kind: "section", title: "基本信息" }] },
        { items: [{ kind: "field", field_id: 3, span: 12 }, { kind: "field", field_id: 4, span: 12 }] },
        { items: [{ kind: "field", field_id: 3, span: 12 }] },
        { items: [{ kind: "divider" }] },
      ],
    });
    const rows = effectiveLayout(f);
    expect(rows.map((r) => r.items.map((i) => (i.kind === "field" ? i.field_id : i.kind)))).toEqual([
      ["section"], [3], ["divider"], [1], [2],
    ]);
  });

  it("gives one field per row without a layout", () => {
    const rows = effectiveLayout(form([email, name]));
    expect(rows).toEqual([
      { items: [{ kind: "field", field_id: 1, span: 24 }] },
      { items: [{ kind: "field", field_id: 3, span: 24 }] },
    ]);
  });

  it("lays out a designer draft (fields and rows only, no settings) like a published form", () => {
    const draft = { name: "预览", fields: [email, name], settings: { layout: [{ items: [{ kind: "field" as const, field_id: 3, span: 40 }] }] } };
    expect(effectiveLayout(draft)).toEqual([
      { items: [{ kind: "field", field_id: 3, span: 24 }] },
      { items: [{ kind: "field", field_id: 1, span: 24 }] },
    ]);
    expect(effectiveLayout({ fields: [name] })).toEqual([{ items: [{ kind: "field", field_id: 1, span: 24 }] }]);
  });

  it("reads the ids of a relation value, single or multiple", () => {
    expect(relationIds(null)).toEqual([]);
    expect(relationIds(4)).toEqual([4]);
    expect(relationIds(["4", 5])).toEqual([4, 5]);
  });

  it("names a record by the title field, else the first text field", () => {
    expect(titleField(form([no, name]))?.key).toBe("name");
    expect(titleField(form([no, name], { title_field: "no" }))?.key).toBe("no");
    expect(titleField(form([no, name], { title_field: "missing" }))?.key).toBe("name");
    expect(titleField(form([no, name], { title_field: "old" }))?.key).toBe("name");
    expect(titleField(form([gone, no]))).toBeUndefined();
    expect(recordTitle(form([no, name]), { id: 3, data: { name: "阿里巴巴", no: "C-1" } })).toBe("阿里巴巴");
  });

  it("falls back to #id like the server's relation titles, and to nothing without a record", () => {
    expect(recordTitle(form([no]), { id: 3, data: { no: "C-1" } })).toBe("#3");
    expect(recordTitle(form([no, name]), { id: 4, data: { name: "" } })).toBe("#4");
    expect(recordTitle(form([no, name]), null)).toBe("");
  });

  it("sends only changed writable keys and treats empty values alike", () => {
    const fields = [name, no, email];
    expect(changedData(fields, { name: "A", no: "C-1", email: null }, { name: "A", no: "C-9", email: "" })).toEqual({});
    expect(changedData(fields, { name: "A", email: "a@x.cn" }, { name: "B", email: "" })).toEqual({ name: "B", email: null });
    expect(createData(fields, { name: "A", no: "x", email: null })).toEqual({ name: "A" });
  });

  it("fills defaults into a blank record", () => {
    expect(blankData([name, customer], { customer: 3 })).toEqual({ name: null, customer: 3 });
    // a field's own default value, unless the caller pre-fills it
    const level = { ...name, key: "level", type: "select", settings: { default: "潜在" } };
    expect(blankData([level])).toEqual({ level: "潜在" });
    expect(blankData([level], { level: "重要" })).toEqual({ level: "重要" });
  });

  it("checks required writable fields", () => {
    const errors = requiredErrors([name, email, { ...no, required: true }], { email: "" }, (f) => `请填写${f.label}`);
    expect(errors).toEqual({ email: "请填写EMAIL" });
  });

  it("filters related records by eq for single and contains for multiple relations", () => {
    expect(relatedFilter({ field_key: "customer", multiple: false }, 5)).toEqual({ field: "customer", op: "eq", value: 5 });
    expect(relatedFilter({ field_key: "tags", multiple: true }, 5, ["contains", "in"])).toEqual({ field: "tags", op: "contains", value: 5 });
    expect(relatedFilter({ field_key: "tags", multiple: true }, 5, ["in"])).toEqual({ field: "tags", op: "in", value: [5] });
  });

  it("finds @mentions, preferring the longest name", () => {
    const users = [{ id: 1, display_name: "张三" }, { id: 2, display_name: "张三丰" }, { id: 3, display_name: "Li Si" }];
    expect(extractMentions("@张三丰 和 @Li Si 请看，@张三", users)).toEqual([2, 3, 1]);
    expect(mentionSegments("hi @Li Si!", users)).toEqual([{ text: "hi " }, { text: "@Li Si", userId: 3 }, { text: "!" }]);
    expect(extractMentions("email a@b.cn", users)).toEqual([]);
  });
});

describe("record store", () => {
  beforeEach(() => setActivePinia(createPinia()));

  it("patches with the version and lists related records with a JSON filter", async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    vi.stubGlobal("fetch", vi.fn(async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      if (url.includes("/related")) return reply(200, { items: [{ form_id: 3, form_name: "联系人", app_id: 1, field_id: 9, field_key: "customer", field_label: "客户", multiple: false }] });
      if (init.method === "GET") return reply(200, { items: [{ id: 1, data: {} }], total: 12, next_cursor: null });
      return reply(200, { id: 4, version: 3, data: { name: "B" } });
    }));
    const store = useRecordStore();
    await store.update(7, 4, { name: "B" }, 2);
    expect(calls[0].url).toBe("/api/v1/forms/7/records/4");
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ data: { name: "B" }, version: 2 });
    const [link] = await store.relatedLinks(7);
    const page = await store.linkedRecords(link, 4);
    expect(page.total).toBe(12);
    const url = new URL(calls[2].url, "http://x");
    expect(url.pathname).toBe("/api/v1/forms/3/records");
    expect(JSON.parse(url.searchParams.get("filter")!)).toEqual({ field: "customer", op: "eq", value: 4 });
    expect(url.searchParams.get("limit")).toBe("10");
  });

  it("pages the recycle bin by cursor", async () => {
    const urls: string[] = [];
    vi.stubGlobal("fetch", vi.fn(async (url: string) => {
      urls.push(url);
      return reply(200, { items: [], next_cursor: null });
    }));
    const store = useRecordStore();
    await store.trash(7);
    await store.trash(7, "abc");
    expect(urls[0]).toContain("trashed=true");
    expect(urls[1]).toContain("cursor=abc");
  });
});

describe("record messages", () => {
  function keys(obj: unknown, prefix = ""): string[] {
    if (typeof obj !== "object" || obj === null) return [prefix];
    return Object.entries(obj).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k)).sort();
  }
  it("has the same keys in Chinese and English", () => {
    expect(keys(messages.en)).toEqual(keys(messages["zh-CN"]));
  });
  it("escapes the characters vue-i18n treats as syntax (@ links, | plurals)", () => {
    const texts = (obj: unknown): string[] =>
      typeof obj === "string" ? [obj] : Object.values(obj as object).flatMap(texts);
    for (const text of [...texts(messages["zh-CN"]), ...texts(messages.en)]) {
      expect(text.replace(/\{[^}]*\}/g, ""), text).not.toMatch(/[@|{}]/);
    }
  });
});
