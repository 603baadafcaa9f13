import { beforeEach, describe, expect, it } from "vitest";
import { createPinia, setActivePinia } from "pinia";
import type { FieldTypeInfo, Form } from "@/api/types";
import { suggestKey, useDesignerStore } from "@/stores/designer";

function ft(type: string, props: string[], canBeUnique = true): FieldTypeInfo {
  return {
    type, operators: [], sortable: true, can_be_unique: canBeUnique, always_unique: false, writable: true,
    settings_schema: { properties: Object.fromEntries(["description", "placeholder", ...props].map((p) => [p, {}])) },
  };
}

const TYPES = [ft("text", ["max_length"]), ft("select", ["choices"], false), ft("money", ["precision", "min", "max", "currency"])];

function form(): Form {
  return {
    id: 7, app_id: 1, name: "客户", description: "", position: 0, created_at: "", updated_at: "",
    settings: {
      title_field: "name",
      layout: [
        { items: [{ kind: "section", title: "基本信息", description: "" }] },
        { items: [{ kind: "field", field_id: 1, span: 12 }, { kind: "field", field_id: 2, span: 12 }] },
      ],
    },
    fields: [
      { id: 1, key: "name", label: "名称", type: "text", required: true, unique: false, indexed: false, settings: {}, position: 0, operators: [], sortable: true },
      { id: 2, key: "level", label: "等级", type: "select", required: false, unique: false, indexed: false, position: 1, operators: [], sortable: true,
        settings: { choices: [{ id: "a1", label: "A", color: "#ff0000" }] } },
      { id: 3, key: "amount", label: "金额", type: "money", required: false, unique: false, indexed: false, settings: { currency: "CNY" }, position: 2, operators: [], sortable: true },
    ],
  };
}

describe("designer store", () => {
  let store: ReturnType<typeof useDesignerStore>;
  beforeEach(() => {
    setActivePinia(createPinia());
    store = useDesignerStore();
    store.setFieldTypes(TYPES);
  });

  it("loads a published form: layout rows with refs, unplaced fields get a row each", () => {
    store.load(form());
    const rows = store.state.layout;
    expect(rows).toHaveLength(3);
    expect(rows[0].items[0].kind).toBe("section");
    expect(rows[1].items.map((i) => (i.kind === "field" ? [i.ref, i.span] : null))).toEqual([["f1", 12], ["f2", 12]]);
    expect(rows[2].items[0]).toMatchObject({ kind: "field", ref: "f3", span: 24 });
    expect(store.state.titleField).toBe("name");
    expect(store.dirty).toBe(false);
    expect(store.canUndo).toBe(false);
  });

  it("adds fields at the end, into a row (rebalancing spans) and as new rows", () => {
    store.load({ ...form(), fields: [], settings: {} });
    const a = store.addField("text", undefined, "Company name");
    expect(store.fieldByRef(store.state.fields[0].ref)?.key).toBe("company_name");
    expect(store.selected).toBe(a);
    store.addField("text", { row: 0, index: 1 }, "Phone");
    expect(store.state.layout).toHaveLength(1);
    expect(store.state.layout[0].items.map((i) => (i.kind === "field" ? i.span : 0))).toEqual([12, 12]);
    store.addField("money", { row: 0, index: 0 });
    expect(store.state.layout[0].items.map((i) => (i.kind === "field" ? i.span : 0))).toEqual([8, 8, 8]);
    store.addField("text", { row: 0, index: 3 });
    expect(store.state.layout[0].items).toHaveLength(4);
    // a fifth field cannot join: it gets a row of its own below
    store.addField("text", { row: 0, index: 2 });
    expect(store.state.layout).toHaveLength(2);
    expect(store.state.layout[1].items).toHaveLength(1);
    // layout items always take a row of their own
    store.addLayoutItem("divider", { row: 1, index: 0 });
    expect(store.state.layout[2].items[0].kind).toBe("divider");
    store.addLayoutItem("section", { newRow: 0 }, "基本信息");
    expect(store.state.layout[0].items[0]).toMatchObject({ kind: "section", title: "基本信息" });
  });

  it("suggests unique keys from labels; Chinese labels get field_N", () => {
    expect(suggestKey("Customer Name", new Set())).toBe("customer_name");
    expect(suggestKey("Customer Name", new Set(["customer_name"]))).toBe("customer_name_2");
    expect(suggestKey("客户名称", new Set(["field_1"]))).toBe("field_2");
    expect(suggestKey("1st", new Set())).toBe("field_1");
  });

  it("follows the label with the key until the key is edited; published keys stay", () => {
    store.load(form());
    const uid = store.addField("text");
    const ref = store.state.fields[3].ref;
    store.updateField(ref, { label: "Email address" }, "l");
    expect(store.fieldByRef(ref)?.key).toBe("email_address");
    store.updateField(ref, { key: "mail", keyEdited: true });
    store.updateField(ref, { label: "Mail" }, "l");
    expect(store.fieldByRef(ref)?.key).toBe("mail");
    store.updateField("f1", { label: "Company" });
    expect(store.fieldByRef("f1")?.key).toBe("name");
    expect(uid).toBeTruthy();
  });

  it("moves items within a row, between rows and to new rows", () => {
    store.load(form());
    const [, row1, row2] = store.state.layout;
    const name = row1.items[0].uid;
    const amount = row2.items[0].uid;
    // amount into row 1 after level
    store.moveItem(amount, { row: 1, index: 2 });
    expect(store.state.layout).toHaveLength(2);
    expect(store.state.layout[1].items.map((i) => (i.kind === "field" ? i.ref : ""))).toEqual(["f1", "f2", "f3"]);
    // name to the end of its row
    store.moveItem(name, { row: 1, index: 3 });
    expect(store.state.layout[1].items.map((i) => (i.kind === "field" ? i.ref : ""))).toEqual(["f2", "f3", "f1"]);
    // name to a new first row
    store.moveItem(name, { newRow: 0 });
    expect(store.state.layout[0].items[0]).toMatchObject({ ref: "f1", span: 24 });
    expect(store.state.layout[2].items.map((i) => (i.kind === "field" ? i.span : 0))).toEqual([12, 12]);
    // the section below the name row, moving down past its own removed row
    const section = store.state.layout[1].items[0].uid;
    store.moveItem(section, { newRow: 3 });
    expect(store.state.layout.map((r) => r.items[0].kind)).toEqual(["field", "field", "section"]);
  });

  it("deletes and duplicates items", () => {
    store.load(form());
    const level = store.state.layout[1].items[1].uid;
    const copy = store.duplicateItem(level)!;
    expect(store.state.layout[1].items).toHaveLength(3);
    const dup = store.state.fields[3];
    expect(dup.id).toBeUndefined();
    expect(dup.key).toBe("level_2");
    expect(dup.settings.choices[0]).toMatchObject({ id: "", label: "A" });
    store.removeItem(copy);
    store.removeItem(store.state.layout[1].items[0].uid); // name, the title field
    expect(store.state.fields.map((f) => f.key)).toEqual(["level", "amount"]);
    expect(store.state.titleField).toBeNull();
    expect(store.state.layout[1].items[0]).toMatchObject({ ref: "f2", span: 24 });
  });

  it("sets spans; a full-width field pushes the rest of its row below", () => {
    store.load(form());
    const [a, b] = store.state.layout[1].items;
    store.setSpan(a.uid, 16);
    expect(store.state.layout[1].items.map((i) => (i.kind === "field" ? i.span : 0))).toEqual([16, 8]);
    store.setSpan(b.uid, 6);
    expect(store.state.layout[1].items.map((i) => (i.kind === "field" ? i.span : 0))).toEqual([16, 6]);
    store.setSpan(a.uid, 24);
    expect(store.state.layout[1].items).toHaveLength(1);
    expect(store.state.layout[2].items[0]).toMatchObject({ uid: b.uid, span: 24 });
  });

  it("undoes and redoes; typing merges into one step", () => {
    store.load(form());
    const ref = "f1";
    store.updateField(ref, { label: "C" }, "f1.label");
    store.updateField(ref, { label: "Co" }, "f1.label");
    store.updateField(ref, { label: "Com" }, "f1.label");
    store.addField("text");
    expect(store.dirty).toBe(true);
    store.undo();
    expect(store.state.fields).toHaveLength(3);
    expect(store.fieldByRef(ref)?.label).toBe("Com");
    store.undo();
    expect(store.fieldByRef(ref)?.label).toBe("名称");
    expect(store.canUndo).toBe(false);
    expect(store.dirty).toBe(false);
    store.redo();
    store.redo();
    expect(store.state.fields).toHaveLength(4);
    expect(store.canRedo).toBe(false);
    // a new change drops the redo stack
    store.undo();
    store.updateForm({ name: "Clients" });
    expect(store.canRedo).toBe(false);
    // the selection of an undone item is cleared
    const uid = store.addField("text");
    expect(store.selected).toBe(uid);
    store.undo();
    expect(store.selected).toBeNull();
  });

  it("builds the publish payload in layout order with cleaned settings", () => {
    store.load(form());
    store.moveItem(store.state.layout[2].items[0].uid, { newRow: 0 });
    const uid = store.addField("select", { row: 2, index: 2 }, "Source");
    const ref = store.state.fields[3].ref;
    store.updateSetting(ref, "choices", [{ id: "", label: " Web ", color: "#00ff00" }, { id: "", label: "Phone", color: "" }]);
    store.updateSetting(ref, "bogus", 1);
    store.updateSetting("f2", "choices", [{ id: "a1", label: "A+", color: "#ff0000" }, { id: "", label: "B", color: "" }]);
    store.updateField("f3", { type: "text", settings: {}, accept_loss: true });
    const p = store.publishPayload();
    expect(p.fields.map((f) => f.ref)).toEqual(["f3", "f1", "f2", ref]);
    expect(p.fields[0]).toMatchObject({ id: 3, key: "amount", type: "text", accept_loss: true });
    expect(p.fields[1]).not.toHaveProperty("accept_loss");
    expect(p.fields[2].settings.choices).toEqual([{ id: "a1", label: "A+", color: "#ff0000" }, { label: "B", color: "" }]);
    expect(p.fields[3]).not.toHaveProperty("id");
    expect(p.fields[3].settings).toEqual({ choices: [{ label: "Web", color: "#00ff00" }, { label: "Phone", color: "" }] });
    expect(p.layout).toEqual([
      { items: [{ kind: "field", ref: "f3", span: 24 }] },
      { items: [{ kind: "section", title: "基本信息", description: "" }] },
      { items: [{ kind: "field", ref: "f1", span: 8 }, { kind: "field", ref: "f2", span: 8 }, { kind: "field", ref, span: 8 }] },
    ]);
    expect(p.title_field).toBe("name");
    expect(uid).toBeTruthy();
  });

  it("restores a draft and spreads publish errors over the fields they name", () => {
    store.load(form());
    store.addField("text", undefined, "Note");
    const draft = store.draftPayload();
    setActivePinia(createPinia());
    const again = useDesignerStore();
    again.setFieldTypes(TYPES);
    again.load(form(), draft);
    expect(again.state.fields).toHaveLength(4);
    expect(again.dirty).toBe(false);
    const payload = again.publishPayload();
    const first = again.applyErrors(
      [
        { field: "fields[3].key", code: "key_taken", message: "标识已存在" },
        { field: "fields[1].settings.choices[0].label", code: "x", message: "选项名称重复" },
        { field: "title_field", code: "title_field_unknown", message: "?" },
      ],
      payload,
    );
    const ref = payload.fields[3].ref;
    expect(again.fieldErrors[ref]).toEqual({ key: "标识已存在" });
    expect(again.fieldErrors[payload.fields[1].ref]).toEqual({ "settings.choices[0].label": "选项名称重复" });
    expect(again.formErrors).toEqual({ title_field: "?" });
    expect(first).toBe(again.items.find((i) => i.kind === "field" && i.ref === ref)?.uid);
    expect(again.selected).toBe(first);
    // editing the key clears its error
    again.updateField(ref, { key: "note2", keyEdited: true });
    expect(again.fieldErrors[ref]).toEqual({});
  });
});
