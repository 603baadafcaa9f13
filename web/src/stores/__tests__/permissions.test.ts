import { describe, expect, it } from "vitest";
import type { Field, Form } from "@/api/types";
import {
  blankDraft, can, canManageForm, flattenDepartments, groupErrors, groupPayload, maskedKeys, memberValue, normalRule,
  parseMember, readOnlyKeys, setAll, unmaskableKeys,
} from "@/stores/permissions";

function field(id: number, key: string, type = "text"): Field {
  return { id, key, type, label: key, required: false, unique: false, indexed: false, settings: {}, position: id, operators: [], sortable: true };
}
const FIELDS = [field(1, "name"), field(2, "phone", "phone"), field(3, "amount", "number")];

function withAccess(access: Form["access"]): Pick<Form, "access"> {
  return { access };
}

describe("the current user's access", () => {
  it("offers only the operations the form's access lists", () => {
    const form = withAccess({ full: false, operations: ["view", "create"], fields: {} });
    expect(can(form, "view")).toBe(true);
    expect(can(form, "create")).toBe(true);
    expect(can(form, "edit")).toBe(false);
    expect(can(form, "delete")).toBe(false);
  });

  it("allows everything with full access or without an access block", () => {
    expect(can(withAccess({ full: true, operations: [], fields: {} }), "manage")).toBe(true);
    expect(can(withAccess(undefined), "delete")).toBe(true);
    expect(can(null, "view")).toBe(false);
  });

  it("lists read-only, masked and unmaskable fields", () => {
    const form = withAccess({
      full: false, operations: ["view"],
      fields: {
        name: { access: "read", masked: false, unmask: false },
        phone: { access: "edit", masked: true, unmask: true },
        idno: { access: "read", masked: true, unmask: false },
      },
    });
    expect(readOnlyKeys(form)).toEqual(["name", "idno"]);
    expect(maskedKeys(form)).toEqual(["phone", "idno"]);
    expect(unmaskableKeys(form)).toEqual(["phone"]);
  });

  it("shows the permissions entry to app administrators and form managers", () => {
    expect(canManageForm({ can_manage: true })).toBe(true);
    expect(canManageForm({ can_manage: false }, withAccess({ full: false, operations: ["view"], fields: {} }))).toBe(false);
    expect(canManageForm({ can_manage: false }, withAccess({ full: true, operations: ["view", "manage"], fields: {} }))).toBe(true);
  });
});

describe("editing a permission group", () => {
  it("sends only fields that differ from editable, consistent masks and ordered operations", () => {
    const draft = blankDraft(" 销售 ");
    draft.operations = ["edit", "view"];
    draft.fields = {
      name: { access: "edit", mask: false, unmask: false },
      phone: { access: "read", mask: true, unmask: true },
      amount: { access: "hidden", mask: true, unmask: true },
    };
    draft.members = [{ type: "role", id: 3, name: "销售" }, { type: "all", id: 9 }];
    const body = groupPayload(draft, FIELDS);
    expect(body.name).toBe("销售");
    expect(body.operations).toEqual(["view", "edit"]);
    expect(body.fields).toEqual({
      phone: { access: "read", mask: true, unmask: true },
      amount: { access: "hidden", mask: false, unmask: false },
    });
    expect(body.members).toEqual([{ type: "role", id: 3 }, { type: "all", id: 0 }]);
    expect(body.scope_filter).toBeNull();
  });

  it("keeps the custom filter only for a custom scope", () => {
    const draft = blankDraft("x");
    draft.scope_filter = { field: "owner", op: "eq", value: "$me" };
    expect(groupPayload(draft, FIELDS).scope_filter).toBeNull();
    draft.scope = "custom";
    expect(groupPayload(draft, FIELDS).scope_filter).toEqual({ field: "owner", op: "eq", value: "$me" });
  });

  it("drops unmask without mask", () => {
    expect(normalRule({ access: "edit", mask: false, unmask: true })).toEqual({ access: "edit", mask: false, unmask: false });
  });

  it("sets every field read-only at once, keeping masks", () => {
    const draft = blankDraft("x");
    draft.fields = { phone: { access: "edit", mask: true, unmask: false } };
    setAll(draft, FIELDS, "read");
    expect(Object.values(draft.fields).map((r) => r.access)).toEqual(["read", "read", "read"]);
    expect(draft.fields.phone.mask).toBe(true);
  });

  it("files server errors under the part of the editor they name", () => {
    const errors = groupErrors([
      { field: "name", message: "请填写名称" },
      { field: "operations[1]", message: "未知操作" },
      { field: "scope_filter.amount", message: "条件无效" },
      { field: "fields.phone.access", message: "访问级别无效" },
      { field: "members[0]", message: "成员不存在" },
      { field: "members[2].type", message: "类型无效" },
    ]);
    expect(errors).toEqual({
      name: "请填写名称",
      operations: "未知操作",
      scope_filter: "条件无效",
      "fields.phone": "访问级别无效",
      members: "成员不存在；类型无效",
    });
  });
});

describe("members", () => {
  it("round-trips a member through the picker's value", () => {
    expect(memberValue({ type: "department", id: 4 })).toBe("department:4");
    expect(memberValue({ type: "all", id: 7 })).toBe("all:0");
    expect(parseMember("role:12")).toEqual({ type: "role", id: 12 });
  });

  it("flattens the department tree with depth and full names", () => {
    const tree = [{
      id: 1, name: "销售部", parent_id: null, path: "/1/", member_count: 0, manager_ids: [],
      children: [{ id: 2, name: "销售一部", parent_id: 1, path: "/1/2/", member_count: 2, manager_ids: [], children: [] }],
    }];
    expect(flattenDepartments(tree)).toEqual([
      { id: 1, name: "销售部", depth: 0, fullName: "销售部" },
      { id: 2, name: "销售一部", depth: 1, fullName: "销售部 / 销售一部" },
    ]);
  });
});

describe("opening a saved group", () => {
  it("copies a reactive group into an independent draft", async () => {
    const { reactive } = await import("vue");
    const { draftOf } = await import("@/stores/permissions");
    const group = reactive({
      id: 5, form_id: 1, name: "销售", description: "", operations: ["view" as const], scope: "own" as const, scope_filter: null,
      fields: { phone: { access: "read" as const, mask: true, unmask: false } }, members: [{ type: "role" as const, id: 2, name: "销售" }], position: 0,
    });
    const draft = draftOf(group);
    expect(draft.fields.phone).toEqual({ access: "read", mask: true, unmask: false });
    draft.fields.phone.mask = false;
    draft.members[0].id = 9;
    expect(group.fields.phone.mask).toBe(true);
    expect(group.members[0].id).toBe(2);
  });
});
