import { defineStore } from "pinia";
import { ref } from "vue";
import { api, ApiError, setCsrfToken } from "@/api/client";
import type { User } from "@/api/types";

interface Session {
  user: User;
  csrf_token?: string;
  must_change_password?: boolean;
}

interface TotpStep {
  totp_required: true;
  challenge: string;
  challenge_expires_at: string;
}

/** What the password step of a login led to: logged in, or a code is needed next. */
export type LoginOutcome = { done: true } | { done: false; challenge: string };

/**
 * Who is logged in; the CSRF token of the cookie session goes to the API client.
 * `mustChangePassword`: the server lets this session do nothing but change the password
 * (an expired password, or one an administrator set), so the router sends it there.
 */
export const useAuthStore = defineStore("auth", () => {
  const user = ref<User | null>(null);
  const checked = ref(false);
  const mustChangePassword = ref(false);

  function adopt(session: Session): void {
    user.value = session.user;
    mustChangePassword.value = Boolean(session.must_change_password);
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

  async function login(username: string, password: string): Promise<LoginOutcome> {
    const reply = await api<Session | TotpStep>("POST", "/auth/login", { username, password });
    if ("totp_required" in reply) return { done: false, challenge: reply.challenge };
    adopt(reply);
    return { done: true };
  }

  async function loginWithCode(challenge: string, code: string): Promise<void> {
    adopt(await api<Session>("POST", "/auth/login/totp", { challenge, code }));
  }

  function passwordChanged(): void {
    mustChangePassword.value = false;
  }

  async function logout(): Promise<void> {
    await api("POST", "/auth/logout");
    user.value = null;
    mustChangePassword.value = false;
    setCsrfToken("");
  }

  return { user, checked, mustChangePassword, restore, login, loginWithCode, passwordChanged, logout };
});
