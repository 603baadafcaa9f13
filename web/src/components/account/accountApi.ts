/** The account security endpoints (my password, sessions, 2FA, logins, tokens, the policy). */
import { api } from "@/api/client";
import type { User } from "@/api/types";

export interface AccountSummary {
  user: User;
  totp_enabled: boolean;
  password_changed_at: string | null;
  password_expires_at: string | null;
  must_change_password: boolean;
  last_login_at: string | null;
}

export interface PasswordPolicy {
  min_length: number;
  require_letters_and_digits: boolean;
  require_symbol: boolean;
  forbid_username: boolean;
  max_age_days: number;
}

export interface SessionInfo {
  id: number;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string;
  current: boolean;
}

export interface LoginEntry {
  seq: number;
  at: string;
  action: "login" | "login_failed" | "logout";
  ip: string | null;
  user_agent: string;
  method: string | null;
  reason: string | null;
}

export interface TotpSetup {
  secret: string;
  uri: string;
  qr_svg: string;
}

export interface ApiToken {
  id: number;
  name: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  read_only: boolean;
  app_ids: number[] | null;
}

export interface NewApiToken extends ApiToken {
  token: string;
}

export const accountApi = {
  summary: () => api<AccountSummary>("GET", "/account"),
  changePassword: (current_password: string, new_password: string) =>
    api<{ sessions_ended: number }>("POST", "/account/password", { current_password, new_password }),
  policy: () => api<PasswordPolicy>("GET", "/account/password-policy"),
  savePolicy: (policy: PasswordPolicy) => api<PasswordPolicy>("PUT", "/account/password-policy", policy),
  sessions: () => api<{ items: SessionInfo[] }>("GET", "/account/sessions").then((r) => r.items),
  endSession: (id: number) => api<void>("DELETE", `/account/sessions/${id}`),
  endOtherSessions: () => api<{ sessions_ended: number }>("POST", "/account/sessions/revoke-others"),
  totpSetup: () => api<TotpSetup>("POST", "/account/totp/setup"),
  totpEnable: (code: string) => api<void>("POST", "/account/totp/enable", { code }),
  totpDisable: (proof: { code?: string; password?: string }) => api<void>("POST", "/account/totp/disable", proof),
  logins: (before?: number) =>
    api<{ items: LoginEntry[]; next_before: number | null }>(
      "GET",
      `/account/logins?limit=50${before ? `&before=${before}` : ""}`,
    ),
  tokens: () => api<{ items: ApiToken[] }>("GET", "/auth/tokens").then((r) => r.items),
  createToken: (body: { name: string; read_only: boolean; app_ids: number[] | null }) =>
    api<NewApiToken>("POST", "/auth/tokens", body),
  revokeToken: (id: number) => api<void>("DELETE", `/auth/tokens/${id}`),
};
