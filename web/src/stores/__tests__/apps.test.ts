import { beforeEach, describe, expect, it, vi } from "vitest";
import { createPinia, setActivePinia } from "pinia";
import { daysLeft, useAppsStore } from "@/stores/apps";

function reply(status: number, body: unknown): Response {
  return new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

const deleted = { id: 7, name: "销售", description: "", icon: "app", color: "#2f6bff", position: 0,
  deleted_at: "2024-05-01T00:00:00Z", purge_at: "2024-05-31T00:00:00Z", form_count: 2 };

describe("apps store: recently deleted", () => {
  beforeEach(() => setActivePinia(createPinia()));

  it("lists the trash, restores an app and reloads the list", async () => {
    const calls: string[] = [];
    vi.stubGlobal("fetch", vi.fn(async (url: string, init: RequestInit) => {
      calls.push(`${init.method} ${url}`);
      if (url.endsWith("/apps/trash")) return reply(200, { items: [deleted] });
      if (url.endsWith("/apps/7/restore")) return reply(200, { ...deleted, forms: [] });
      return reply(200, { items: [{ ...deleted, forms: [] }] });
    }));
    const apps = useAppsStore();
    await apps.loadTrash();
    expect(apps.trash.map((a) => a.id)).toEqual([7]);
    await apps.restore(7);
    expect(apps.trash).toEqual([]);
    expect(apps.items.map((a) => a.id)).toEqual([7]);
    expect(calls).toEqual(["GET /api/v1/apps/trash", "POST /api/v1/apps/7/restore", "GET /api/v1/apps"]);
  });

  it("keeps the API's message when the trash cannot be loaded", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => reply(403, { error: { code: "admin_required", message: "需要管理员权限", details: [] } })));
    const apps = useAppsStore();
    await apps.loadTrash();
    expect(apps.trashError).toBe("需要管理员权限");
    expect(apps.trashLoading).toBe(false);
  });

  it("counts whole days left until the purge", () => {
    const now = Date.parse("2024-05-01T00:00:00Z");
    expect(daysLeft("2024-05-31T00:00:00Z", now)).toBe(30);
    expect(daysLeft("2024-05-01T01:00:00Z", now)).toBe(1);
    expect(daysLeft("2024-04-30T00:00:00Z", now)).toBe(0);
  });
});
