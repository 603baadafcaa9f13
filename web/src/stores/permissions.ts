import { defineStore } from "pinia";
import { ref } from "vue";
import { api } from "@/api/client";
import type {
  App, DataScope, Department, Field, FieldAccess, FieldRule, FilterNode, Form, GroupMember, MemberType, Operation,
  PermissionGroup, Role,
} from "@/api/types";

/**
 * The web side of permissions: what the current user may do with a form (read from the
 * form's `access`, so buttons they lack are not offered — the API enforces it anyway),
 * editing a form's permission groups (权限组), the organisation directory the member
 * picker offers, app administrators, owner transfer and unmasked values.
 */

export const OPERATIONS: Operation[] = ["view", "create", "edit", "delete", "import", "export", "manage"];
export const SCOPES: DataScope[] = ["own", "department", "department_tree", "all", "custom"];
/** field types whose values are text, so that a mask (138****1234) reads well */
export const MASKABLE_TYPES = ["text", "textarea", "phone", "email", "url"];
/** what a field is in a group that does not name it: editable, unmasked (the server's default) */
export const DEFAULT_RULE: FieldRule = { access: "edit", mask: false, unmask: false };

// ----- the current user's access ----------------------------------------------------------
type WithAccess = Pick<Form, "access"> | null | undefined;

/** May the user do `op` with the form? A form without `access` (full rights) allows all. */
export function can(form: WithAccess, op: Operation): boolean {
  if (!form) return false;
  return !form.access || form.access.full || form.access.operations.includes(op);
}

export function fieldAccess(form: WithAccess, key: string): FieldAccess {
  return form?.access?.fields[key] ?? { access: "edit", masked: false, unmask: false };
}

/** Keys of the fields the user sees but may not change. */
export function readOnlyKeys(form: WithAccess): string[] {
  return Object.entries(form?.access?.fields ?? {}).filter(([, a]) => a.access === "read").map(([k]) => k);
}

/** Keys of the masked fields whose real value the user may ask for. */
export function unmaskableKeys(form: WithAccess): string[] {
  return Object.entries(form?.access?.fields ?? {}).filter(([, a]) => a.masked && a.unmask).map(([k]) => k);
}

export function maskedKeys(form: WithAccess): string[] {
  return Object.entries(form?.access?.fields ?? {}).filter(([, a]) => a.masked).map(([k]) => k);
}

/** The form menu's "permissions" entry: app administrators and the form's managers. */
export function canManageForm(app: Pick<App, "can_manage"> | null | undefined, form?: WithAccess): boolean {
  return Boolean(app?.can_manage) || (form ? Boolean(form.access) && can(form, "manage") : false);
}

// ----- editing groups ---------------------------------------------------------------------
/** A group as the editor holds it (`id` null: not saved yet). */
export interface GroupDraft {
  id: number | null;
  name: string;
  description: string;
  operations: Operation[];
  scope: DataScope;
  scope_filter: FilterNode | null;
  fields: Record<string, FieldRule>;
  members: GroupMember[];
}

export function blankDraft(name = ""): GroupDraft {
  return { id: null, name, description: "", operations: ["view", "create", "edit"], scope: "own", scope_filter: null, fields: {}, members: [] };
}

export function draftOf(group: PermissionGroup): GroupDraft {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    operations: [...group.operations],
    scope: group.scope,
    scope_filter: group.scope_filter,
    // a plain copy (the group is often a reactive proxy, which structuredClone refuses)
    fields: Object.fromEntries(Object.entries(group.fields).map(([key, rule]) => [key, { ...rule }])),
    members: group.members.map((m) => ({ ...m })),
  };
}

export function ruleOf(draft: Pick<GroupDraft, "fields">, key: string): FieldRule {
  return draft.fields[key] ?? { ...DEFAULT_RULE };
}

/** A rule made consistent: nothing to mask on a hidden field, no "view unmasked" without a mask. */
export function normalRule(rule: FieldRule): FieldRule {
  const mask = rule.mask && rule.access !== "hidden";
  return { access: rule.access, mask, unmask: mask && rule.unmask };
}

/** What the API gets: only the fields whose rule differs from the default, in field order. */
export function groupPayload(draft: GroupDraft, fields: Field[]) {
  const rules: Record<string, FieldRule> = {};
  for (const f of fields) {
    const rule = normalRule(ruleOf(draft, f.key));
    if (rule.access !== "edit" || rule.mask) rules[f.key] = rule;
  }
  return {
    name: draft.name.trim(),
    description: draft.description,
    operations: OPERATIONS.filter((op) => draft.operations.includes(op)),
    scope: draft.scope,
    scope_filter: draft.scope === "custom" ? draft.scope_filter : null,
    fields: rules,
    members: draft.members.map((m) => ({ type: m.type, id: m.type === "all" ? 0 : m.id })),
  };
}

/** Set every field of the draft to one access level (the "all editable / all read-only" shortcuts). */
export function setAll(draft: GroupDraft, fields: Field[], access: FieldRule["access"]): void {
  const next: Record<string, FieldRule> = {};
  for (const f of fields) next[f.key] = normalRule({ ...ruleOf(draft, f.key), access });
  draft.fields = next;
}

/**
 * Server errors by the part of the editor they belong to: "name", "operations",
 * "scope", "scope_filter", "members" and "fields.<key>" (a field's row).
 */
export function groupErrors(details: { field: string; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of details) {
    const path = d.field.replace(/^body\./, "");
    const fieldMatch = /^fields\.([^.[]+)/.exec(path);
    const section = fieldMatch ? `fields.${fieldMatch[1]}` : (/^[a-z_]+/.exec(path)?.[0] ?? "form");
    out[section] = out[section] ? `${out[section]}；${d.message}` : d.message;
  }
  return out;
}

// ----- members ----------------------------------------------------------------------------
/** A department with its depth and full name ("销售部 / 华东区"), for pickers. */
export interface FlatDepartment {
  id: number;
  name: string;
  depth: number;
  fullName: string;
}

export function flattenDepartments(tree: Department[], depth = 0, prefix = ""): FlatDepartment[] {
  return tree.flatMap((d) => {
    const fullName = prefix ? `${prefix} / ${d.name}` : d.name;
    return [{ id: d.id, name: d.name, depth, fullName }, ...flattenDepartments(d.children ?? [], depth + 1, fullName)];
  });
}

/** A member as one string value of the picker ("role:3", "all:0") and back. */
export function memberValue(m: Pick<GroupMember, "type" | "id">): string {
  return `${m.type}:${m.type === "all" ? 0 : m.id}`;
}

export function parseMember(value: string): GroupMember {
  const [type, id] = value.split(":");
  return { type: type as MemberType, id: Number(id) || 0 };
}

export interface DirectoryUser {
  id: number;
  username: string;
  display_name: string;
  is_active?: boolean;
  main_department?: string | null;
}

export interface AppAdmin {
  id: number;
  username: string;
  display_name: string;
}

export const usePermissionsStore = defineStore("permissions", () => {
  const departments = ref<FlatDepartment[]>([]);
  const roles = ref<Role[]>([]);
  const users = ref<DirectoryUser[]>([]);
  let directory: Promise<void> | null = null;

  /** Departments, roles and users for the member pickers (once per page load unless forced). */
  function loadDirectory(force = false): Promise<void> {
    if (!directory || force) {
      directory = Promise.all([
        api<{ items: Department[] }>("GET", "/departments"),
        api<{ items: Role[] }>("GET", "/roles"),
        api<{ items: DirectoryUser[] }>("GET", "/users?active=true"),
      ]).then(([d, r, u]) => {
        departments.value = flattenDepartments(d.items);
        roles.value = r.items;
        users.value = u.items;
      });
      directory.catch(() => (directory = null));
    }
    return directory;
  }

  function memberName(m: GroupMember): string {
    if (m.name) return m.name;
    if (m.type === "user") return users.value.find((u) => u.id === m.id)?.display_name ?? `#${m.id}`;
    if (m.type === "department") return departments.value.find((d) => d.id === m.id)?.fullName ?? `#${m.id}`;
    if (m.type === "role") return roles.value.find((r) => r.id === m.id)?.name ?? `#${m.id}`;
    return "";
  }

  async function listGroups(formId: number): Promise<PermissionGroup[]> {
    return (await api<{ items: PermissionGroup[] }>("GET", `/forms/${formId}/permission-groups`)).items;
  }

  async function saveGroup(formId: number, draft: GroupDraft, fields: Field[]): Promise<PermissionGroup> {
    const body = groupPayload(draft, fields);
    if (draft.id == null) return api<PermissionGroup>("POST", `/forms/${formId}/permission-groups`, body);
    return api<PermissionGroup>("PATCH", `/permission-groups/${draft.id}`, body);
  }

  async function deleteGroup(groupId: number): Promise<void> {
    await api("DELETE", `/permission-groups/${groupId}`);
  }

  async function appAdmins(appId: number): Promise<AppAdmin[]> {
    return (await api<{ items: AppAdmin[] }>("GET", `/apps/${appId}/admins`)).items;
  }

  async function setAppAdmins(appId: number, userIds: number[]): Promise<AppAdmin[]> {
    return (await api<{ items: AppAdmin[] }>("PUT", `/apps/${appId}/admins`, { user_ids: userIds })).items;
  }

  /** Hand records to a new owner (转移负责人); the number of records that changed hands. */
  async function transfer(formId: number, ids: number[], owner: number): Promise<number> {
    return (await api<{ count: number }>("POST", `/forms/${formId}/records/transfer`, { ids, owner })).count;
  }

  /** The real values of masked fields of one record (the server audits every look). */
  async function unmasked(formId: number, recordId: number, keys: string[]): Promise<Record<string, unknown>> {
    const query = encodeURIComponent(keys.join(","));
    return (await api<{ values: Record<string, unknown> }>("GET", `/forms/${formId}/records/${recordId}/unmasked?fields=${query}`)).values;
  }

  return {
    departments, roles, users, loadDirectory, memberName, listGroups, saveGroup, deleteGroup, appAdmins, setAppAdmins,
    transfer, unmasked,
  };
});
