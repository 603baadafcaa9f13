import { beforeEach, describe, expect, it, vi } from "vitest";
import { createPinia, setActivePinia } from "pinia";
import { useAuthStore } from "@/stores/auth";

function reply(status: number, body: unknown): Response {
  return new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

describe("auth store", () => {
  beforeEach(() => setActivePinia(createPinia()));

  it("sends the CSRF token from login on later writes", async () => {
    const calls: RequestInit[] = [];
    vi.stubGlobal("fetch", vi.fn(async (_url: string, init: RequestInit) => {
      calls.push(init);
      if (calls.length === 1) return reply(200, { user: { id: 1, display_name: "A" }, csrf_token: "tok" });
      return reply(204, null);
    }));
    const auth = useAuthStore();
    await auth.login("admin", "pw");
    expect(auth.user?.id).toBe(1);
    await auth.logout();
    expect((calls[1].headers as Record<string, string>)["X-CSRF-Token"]).toBe("tok");
    expect(auth.user).toBeNull();
  });

  it("treats 401 on restore as logged out and surfaces the API message otherwise", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => reply(401, { error: { code: "not_authenticated", message: "请先登录", details: [] } })));
    const auth = useAuthStore();
    await auth.restore();
    expect(auth.user).toBeNull();
    expect(auth.checked).toBe(true);
    vi.stubGlobal("fetch", vi.fn(async () => reply(401, { error: { code: "login_failed", message: "用户名或密码错误", details: [] } })));
    await expect(auth.login("x", "y")).rejects.toThrow("用户名或密码错误");
  });
});
