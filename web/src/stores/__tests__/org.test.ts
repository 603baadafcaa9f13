import { beforeEach, describe, expect, it, vi } from "vitest";
import { createPinia, setActivePinia } from "pinia";
import type { Department } from "@/api/types";
import { blankUser, flatten, inviteUrl, moveTargets, subtreeIds, useOrgStore, userBody } from "@/stores/org";

function dept(id: number, name: string, parent: number | null, children: Department[] = []): Department {
  return { id, name, parent_id: parent, path: "", member_count: 0, manager_ids: [], children };
}

const TREE = [dept(1, "总公司", null, [dept(2, "销售部", 1, [dept(3, "华东区", 2)]), dept(4, "市场部", 1)])];

function reply(status: number, body: unknown): Response {
  return new Response(body === null ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

describe("org helpers", () => {
  it("flattens the tree with full names and depths", () => {
    expect(flatten(TREE).map((d) => [d.fullName, d.depth])).toEqual([
      ["总公司", 0], ["总公司 / 销售部", 1], ["总公司 / 销售部 / 华东区", 2], ["总公司 / 市场部", 1],
    ]);
  });

  it("never offers a department itself or its sub-departments as where to move it", () => {
    expect(subtreeIds(TREE, 2)).toEqual([2, 3]);
    expect(moveTargets(TREE, 2).map((d) => d.id)).toEqual([1, 4]);
    expect(moveTargets(TREE, 1)).toEqual([]);
  });

  it("builds a new member's body: invited, or with a password to change at login", () => {
    const draft = { ...blankUser(), username: " zhang ", department_ids: [3, 4], main_department_id: 9 };
    const invited = userBody(draft, true);
    expect(invited).toMatchObject({ username: "zhang", invite_days: 7, main_department_id: 3, department_ids: [3, 4] });
    expect(invited).not.toHaveProperty("password");
    expect(invited).not.toHaveProperty("display_name");
    const withPassword = userBody({ ...draft, mode: "password", password: "pass-word-1", main_department_id: 4 }, true);
    expect(withPassword).toMatchObject({ password: "pass-word-1", must_change_password: true, main_department_id: 4 });
    // an edit sends no username or password, and clears the supervisor with null
    const edit = userBody({ ...draft, display_name: "" }, false);
    expect(edit).not.toHaveProperty("username");
    expect(edit).not.toHaveProperty("display_name");
    expect(edit.supervisor_id).toBeNull();
  });

  it("makes the full invitation link", () => {
    expect(inviteUrl("/invite/abc", "https://crm.example.cn")).toBe("https://crm.example.cn/invite/abc");
  });
});

describe("org store", () => {
  beforeEach(() => setActivePinia(createPinia()));

  it("asks for users by department with sub-departments, search and page", async () => {
    const calls: string[] = [];
    vi.stubGlobal("fetch", vi.fn(async (url: string) => {
      calls.push(url);
      return reply(200, { items: [], total: 41 });
    }));
    const org = useOrgStore();
    await org.loadUsers({ q: " 张 ", department_id: 2, include_sub: true, offset: 20, limit: 20 });
    expect(calls).toEqual(["/api/v1/users?q=%E5%BC%A0&department_id=2&include_sub=true&offset=20&limit=20"]);
    expect(org.total).toBe(41);
  });

  it("uploads the sheet as it is for the preview", async () => {
    const seen: { url: string; type: string; body: unknown }[] = [];
    vi.stubGlobal("fetch", vi.fn(async (url: string, init: RequestInit) => {
      seen.push({ url, type: (init.headers as Record<string, string>)["Content-Type"], body: init.body });
      return reply(200, { ok: true, rows: 1, create_users: 1, update_users: 0, create_departments: [], create_roles: [], errors: [] });
    }));
    const file = new Blob(["xlsx"], { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
    const preview = await useOrgStore().previewImport(file);
    expect(preview.ok).toBe(true);
    expect(seen[0].url).toBe("/api/v1/org/import?dry_run=true");
    expect(seen[0].type).toBe(file.type);
    expect(seen[0].body).toBe(file);
  });

  it("reads the tree again after a change and names departments", async () => {
    const calls: string[] = [];
    vi.stubGlobal("fetch", vi.fn(async (url: string, init: RequestInit) => {
      calls.push(`${init.method} ${url}`);
      return url.endsWith("/departments") && init.method === "GET" ? reply(200, { items: TREE }) : reply(200, {});
    }));
    const org = useOrgStore();
    await org.updateDepartment(3, { parent_id: 4 });
    expect(calls).toEqual(["PATCH /api/v1/departments/3", "GET /api/v1/departments"]);
    expect(org.departmentName(3)).toBe("华东区");
    expect(org.departmentName(99)).toBe("#99");
  });
});
