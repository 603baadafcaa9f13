import { defineStore } from "pinia";
import { ref } from "vue";
import { api, ApiError, setCsrfToken } from "@/api/client";
import type { User } from "@/api/types";

interface Session {
  user: User;
  csrf_token?: string;
}

/** Who is logged in; the CSRF token of the cookie session goes to the API client. */
export const useAuthStore = defineStore("auth", () => {
  const user = ref<User | null>(null);
  const checked = ref(false);

  function adopt(session: Session): void {
    user.value = session.user;
    setCsrfToken(session.csrf_token ?? "");
  }

  async function restore(): Promise<void> {
    try {
      adopt(await api<Session>("GET", "/auth/me"));
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      user.value = null;
    } finally {
      checked.value = true;
    }
  }

  async function login(username: string, password: string): Promise<void> {
    adopt(await api<Session>("POST", "/auth/login", { username, password }));
  }

  async function logout(): Promise<void> {
    await api("POST", "/auth/logout");
    user.value = null;
    setCsrfToken("");
  }

  return { user, checked, restore, login, logout };
});
