import { defineStore } from "pinia";
import { ref } from "vue";
import { api } from "@/api/client";
import type { Department, Role } from "@/api/types";

/**
 * The organization admin pages: the department tree, users (the administrator's view),
 * roles, invitations and the Excel import. Pure helpers (tree walking, where a
 * department may move) are exported for the components and tests.
 */

export interface Membership {
  id: number;
  name: string;
  is_main: boolean;
  is_manager: boolean;
}

/** A user as GET /users gives it to an administrator. */
export interface OrgUser {
  id: number;
  username: string;
  display_name: string;
  email: string | null;
  phone: string | null;
  is_admin: boolean;
  is_active: boolean;
  main_department_id: number | null;
  main_department: string | null;
  supervisor_id: number | null;
  departments: Membership[];
  role_ids: number[];
  must_change_password: boolean;
  has_password: boolean;
  totp_enabled?: boolean;
  invite_pending: boolean;
  invite_expires_at: string | null;
  last_login_at: string | null;
  /** only right after creating or re-inviting */
  invite_path?: string;
}

export interface UserDraft {
  username: string;
  display_name: string;
  email: string;
  phone: string;
  is_admin: boolean;
  department_ids: number[];
  main_department_id: number | null;
  supervisor_id: number | null;
  role_ids: number[];
  /** create only: "password" sets one now, "invite" sends a link */
  mode: "password" | "invite";
  password: string;
  invite_days: number;
}

export interface UserQuery {
  q?: string;
  department_id?: number | null;
  include_sub?: boolean;
  offset?: number;
  limit?: number;
}

export interface ImportError {
  row: number;
  column: string;
  field: string;
  code: string;
  message: string;
}

export interface ImportPreview {
  ok: boolean;
  rows: number;
  create_users: number;
  update_users: number;
  create_departments: string[];
  create_roles: string[];
  errors: ImportError[];
}

export interface ImportResult {
  created: number;
  updated: number;
  departments_created: string[];
  roles_created: string[];
  invites: { username: string; display_name: string; invite_path: string; invite_expires_at: string }[];
}

// ----- pure helpers -------------------------------------------------------------------------
export interface FlatDepartment {
  id: number;
  name: string;
  depth: number;
  /** "销售部 / 华东区" */
  fullName: string;
  parent_id: number | null;
}

export function flatten(tree: Department[], depth = 0, prefix = ""): FlatDepartment[] {
  return tree.flatMap((d) => {
    const fullName = prefix ? `${prefix} / ${d.name}` : d.name;
    return [{ id: d.id, name: d.name, depth, fullName, parent_id: d.parent_id }, ...flatten(d.children ?? [], depth + 1, fullName)];
  });
}

export function findDepartment(tree: Department[], id: number): Department | null {
  for (const d of tree) {
    if (d.id === id) return d;
    const below = findDepartment(d.children ?? [], id);
    if (below) return below;
  }
  return null;
}

/** The ids of a department and everything below it. */
export function subtreeIds(tree: Department[], id: number): number[] {
  const node = findDepartment(tree, id);
  if (!node) return [];
  const walk = (d: Department): number[] => [d.id, ...(d.children ?? []).flatMap(walk)];
  return walk(node);
}

/** Where department `id` may move: anywhere but itself and below itself (null: top level). */
export function moveTargets(tree: Department[], id: number): FlatDepartment[] {
  const banned = new Set(subtreeIds(tree, id));
  return flatten(tree).filter((d) => !banned.has(d.id));
}

/** The full link of an invitation path, for copying. */
export function inviteUrl(path: string, origin = window.location.origin): string {
  return `${origin}${path}`;
}

export function blankUser(): UserDraft {
  return {
    username: "", display_name: "", email: "", phone: "", is_admin: false, department_ids: [],
    main_department_id: null, supervisor_id: null, role_ids: [], mode: "invite", password: "", invite_days: 7,
  };
}

export function draftOf(user: OrgUser): UserDraft {
  return {
    ...blankUser(),
    username: user.username,
    display_name: user.display_name,
    email: user.email ?? "",
    phone: user.phone ?? "",
    is_admin: user.is_admin,
    department_ids: user.departments.map((d) => d.id),
    main_department_id: user.main_department_id,
    supervisor_id: user.supervisor_id,
    role_ids: [...user.role_ids],
  };
}

/** The request body of a draft: a new user (with password or invited) or an edit. */
export function userBody(draft: UserDraft, isNew: boolean): Record<string, unknown> {
  const main = draft.department_ids.includes(draft.main_department_id ?? -1) ? draft.main_department_id : (draft.department_ids[0] ?? null);
  const body: Record<string, unknown> = {
    display_name: draft.display_name.trim() || (isNew ? null : undefined),
    email: draft.email.trim(),
    phone: draft.phone.trim(),
    is_admin: draft.is_admin,
    department_ids: draft.department_ids,
    main_department_id: main,
    supervisor_id: draft.supervisor_id,
    role_ids: draft.role_ids,
  };
  if (isNew) {
    body.username = draft.username.trim();
    if (body.display_name === null) delete body.display_name;
    if (draft.mode === "password") Object.assign(body, { password: draft.password, must_change_password: true });
    else body.invite_days = draft.invite_days;
  }
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
  return body;
}

function query(params: UserQuery): string {
  const search = new URLSearchParams();
  if (params.q?.trim()) search.set("q", params.q.trim());
  if (params.department_id) search.set("department_id", String(params.department_id));
  if (params.department_id && params.include_sub) search.set("include_sub", "true");
  if (params.offset) search.set("offset", String(params.offset));
  if (params.limit) search.set("limit", String(params.limit));
  const text = search.toString();
  return text ? `?${text}` : "";
}

// ----- the store --------------------------------------------------------------------------
export const useOrgStore = defineStore("org", () => {
  const tree = ref<Department[]>([]);
  const flat = ref<FlatDepartment[]>([]);
  const roles = ref<Role[]>([]);
  const users = ref<OrgUser[]>([]);
  const total = ref(0);
  /** every user, for the supervisor and member pickers */
  const everyone = ref<OrgUser[]>([]);
  let treeLoad: Promise<void> | null = null;

  function loadTree(force = false): Promise<void> {
    if (!treeLoad || force) {
      treeLoad = api<{ items: Department[] }>("GET", "/departments").then((r) => {
        tree.value = r.items;
        flat.value = flatten(r.items);
      });
      treeLoad.catch(() => (treeLoad = null));
    }
    return treeLoad;
  }

  function departmentName(id: number): string {
    return flat.value.find((d) => d.id === id)?.name ?? `#${id}`;
  }

  async function createDepartment(name: string, parentId: number | null): Promise<void> {
    await api("POST", "/departments", { name, parent_id: parentId });
    await loadTree(true);
  }

  async function updateDepartment(id: number, changes: { name?: string; parent_id?: number | null; position?: number; manager_ids?: number[] }): Promise<void> {
    await api("PATCH", `/departments/${id}`, changes);
    await loadTree(true);
  }

  async function deleteDepartment(id: number): Promise<void> {
    await api("DELETE", `/departments/${id}`);
    await loadTree(true);
  }

  async function loadUsers(params: UserQuery): Promise<void> {
    const page = await api<{ items: OrgUser[]; total: number }>("GET", `/users${query(params)}`);
    users.value = page.items;
    total.value = page.total;
  }

  async function loadEveryone(): Promise<OrgUser[]> {
    everyone.value = (await api<{ items: OrgUser[] }>("GET", "/users")).items;
    return everyone.value;
  }

  async function saveUser(id: number | null, draft: UserDraft): Promise<OrgUser> {
    const body = userBody(draft, id === null);
    return id === null ? api<OrgUser>("POST", "/users", body) : api<OrgUser>("PATCH", `/users/${id}`, body);
  }

  function setActive(id: number, active: boolean): Promise<OrgUser> {
    return api<OrgUser>("POST", `/users/${id}/${active ? "enable" : "disable"}`);
  }

  function resetPassword(id: number, password: string): Promise<OrgUser> {
    return api<OrgUser>("POST", `/users/${id}/reset-password`, { password });
  }

  /** Account security of another user (administrators): end every session of theirs,
   * switch their two-factor login off (they lost their phone). */
  function endSessions(id: number): Promise<{ sessions_ended: number }> {
    return api<{ sessions_ended: number }>("POST", `/account/admin/users/${id}/revoke-sessions`);
  }

  function resetTotp(id: number): Promise<{ was_enabled: boolean }> {
    return api<{ was_enabled: boolean }>("POST", `/account/admin/users/${id}/reset-totp`);
  }

  function reinvite(id: number, days = 7): Promise<OrgUser> {
    return api<OrgUser>("POST", `/users/${id}/invite`, { invite_days: days });
  }

  async function loadRoles(): Promise<void> {
    roles.value = (await api<{ items: Role[] }>("GET", "/roles")).items;
  }

  async function saveRole(id: number | null, body: { name: string; description: string; member_ids: number[] }): Promise<void> {
    if (id === null) await api("POST", "/roles", body);
    else await api("PATCH", `/roles/${id}`, body);
    await loadRoles();
  }

  async function deleteRole(id: number): Promise<void> {
    await api("DELETE", `/roles/${id}`);
    await loadRoles();
  }

  function previewImport(file: Blob): Promise<ImportPreview> {
    return api<ImportPreview>("POST", "/org/import?dry_run=true", file);
  }

  async function runImport(file: Blob): Promise<ImportResult> {
    const result = await api<ImportResult>("POST", "/org/import?dry_run=false", file);
    await Promise.all([loadTree(true), loadRoles()]);
    return result;
  }

  return {
    tree, flat, roles, users, total, everyone, loadTree, departmentName, createDepartment, updateDepartment,
    deleteDepartment, loadUsers, loadEveryone, saveUser, setActive, resetPassword, endSessions, resetTotp, reinvite, loadRoles, saveRole,
    deleteRole, previewImport, runImport,
  };
});

/** The public invitation page (no login): who it is for, and setting the password. */
export function inviteInfo(token: string): Promise<{ username: string; display_name: string }> {
  return api("GET", `/auth/invite/${encodeURIComponent(token)}`);
}

export function acceptInvite(token: string, password: string): Promise<{ username: string }> {
  return api("POST", `/auth/invite/${encodeURIComponent(token)}`, { password });
}
