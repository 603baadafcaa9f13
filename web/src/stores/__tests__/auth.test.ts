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

describe("auth store: two-factor and must-change logins", () => {
  beforeEach(() => setActivePinia(createPinia()));

  it("stops after the password when a code is required, then logs in with it", async () => {
    const bodies: unknown[] = [];
    vi.stubGlobal("fetch", vi.fn(async (url: string, init: RequestInit) => {
      bodies.push([url, JSON.parse(String(init.body))]);
      if (url.endsWith("/auth/login")) return reply(200, { totp_required: true, challenge: "ch", challenge_expires_at: "x" });
      return reply(200, { user: { id: 2, display_name: "B" }, csrf_token: "t2", must_change_password: true });
    }));
    const auth = useAuthStore();
    expect(await auth.login("li", "pw")).toEqual({ done: false, challenge: "ch" });
    expect(auth.user).toBeNull();
    await auth.loginWithCode("ch", "123456");
    expect(bodies[1]).toEqual(["/api/v1/auth/login/totp", { challenge: "ch", code: "123456" }]);
    expect(auth.user?.id).toBe(2);
    expect(auth.mustChangePassword).toBe(true);
    auth.passwordChanged();
    expect(auth.mustChangePassword).toBe(false);
  });
});
