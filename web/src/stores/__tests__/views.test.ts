import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createPinia, setActivePinia } from "pinia";
import type { View } from "@/api/types";
import { useAuthStore } from "@/stores/auth";
import { SAVE_DELAY, configFor, useViewsStore } from "@/stores/views";

function reply(status: number, body: unknown): Response {
  return new Response(body === null ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}
const view = (over: Partial<View> = {}): View => ({
  id: 1, form_id: 5, name: "All", kind: "table", config: { columns: [{ key: "name" }] }, owner_id: null, position: 0, ...over,
});

describe("views store", () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it("keeps only the config keys of a kind and drops empty values", () => {
    expect(configFor("calendar", { date_field: "d", sort: "-id", columns: [], filter: null })).toEqual({ date_field: "d" });
    expect(configFor("kanban", { group_field: "s", card_fields: ["a"], sort: "", columns: [] })).toEqual({ group_field: "s", card_fields: ["a"] });
  });

  it("saves config changes once after a quiet period, only for views the user may change", async () => {
    const calls: [string, RequestInit][] = [];
    vi.stubGlobal("fetch", vi.fn(async (url: string, init: RequestInit) => {
      calls.push([url, init]);
      return reply(200, view());
    }));
    const auth = useAuthStore();
    auth.user = { id: 2, username: "u", display_name: "U", email: null, is_admin: false, is_active: true };
    const store = useViewsStore();
    store.byForm[5] = [view(), view({ id: 2, owner_id: 2 })];

    // shared view, not an admin: applied locally, never saved
    store.setConfig(store.byForm[5][0], { sort: "name" });
    expect(store.byForm[5][0].config.sort).toBe("name");
    await vi.advanceTimersByTimeAsync(SAVE_DELAY * 2);
    expect(calls).toHaveLength(0);

    // own view: debounced into one PATCH with the latest config
    store.setConfig(store.byForm[5][1], { sort: "a" });
    store.setConfig(store.byForm[5][1], { sort: "-b" });
    await vi.advanceTimersByTimeAsync(SAVE_DELAY - 100);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(calls).toHaveLength(1);
    expect(calls[0][0]).toBe("/api/v1/views/2");
    expect(calls[0][1].method).toBe("PATCH");
    expect(JSON.parse(String(calls[0][1].body))).toEqual({ config: { columns: [{ key: "name" }], sort: "-b" } });
  });

  it("lets admins change shared views and restores the order when reordering fails", async () => {
    const auth = useAuthStore();
    auth.user = { id: 1, username: "a", display_name: "A", email: null, is_admin: true, is_active: true };
    const store = useViewsStore();
    expect(store.canEdit(view())).toBe(true);
    expect(store.canEdit(view({ owner_id: 9 }))).toBe(false);
    store.byForm[5] = [view(), view({ id: 2 })];
    vi.stubGlobal("fetch", vi.fn(async () => reply(403, { error: { code: "forbidden", message: "no", details: [] } })));
    await expect(store.reorder(5, [2, 1])).rejects.toThrow("no");
    expect(store.byForm[5].map((v) => v.id)).toEqual([1, 2]);
  });
});
