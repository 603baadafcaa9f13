/** The audit log API: shapes and calls (search, actions, export, a record's history). */
import { api, ApiError } from "@/api/client";

export interface AuditEntry {
  seq: number;
  at: string;
  user_id: number | null;
  username: string | null;
  user_display_name: string | null;
  ip: string | null;
  user_agent: string | null;
  action: string;
  action_label: string;
  app_id: number | null;
  app_name: string | null;
  form_id: number | null;
  form_name: string | null;
  record_id: number | null;
  object_type: string | null;
  object_id: string | null;
  details: Record<string, unknown>;
  summary: string;
  hash: string;
}

export interface AuditPage {
  items: AuditEntry[];
  next_cursor: string | null;
}

export interface AuditAction {
  action: string;
  label: string;
  category: string;
  category_label: string;
}

export interface AuditQuery {
  user_id?: number;
  app_id?: number;
  form_id?: number;
  record_id?: number;
  action?: string[];
  since?: string;
  until?: string;
  q?: string;
}

export interface HistoryChange {
  key: string;
  label: string;
  before: unknown;
  after: unknown;
  masked: boolean;
}

export interface HistoryEntry {
  seq: number;
  at: string;
  action: string;
  action_label: string;
  user_id: number | null;
  username: string | null;
  user_display_name: string | null;
  summary: string;
  changes: HistoryChange[];
  details: Record<string, unknown>;
}

/** The query string of a search (empty parts left out); the cursor and limit when given. */
export function queryString(q: AuditQuery, extra: Record<string, string | number | null | undefined> = {}): string {
  const params = new URLSearchParams();
  const add = (key: string, value: unknown) => {
    if (value === undefined || value === null || value === "") return;
    params.set(key, String(value));
  };
  add("user_id", q.user_id);
  add("app_id", q.app_id);
  add("form_id", q.form_id);
  add("record_id", q.record_id);
  if (q.action?.length) add("action", q.action.join(","));
  add("since", q.since);
  add("until", q.until);
  add("q", q.q?.trim());
  for (const [key, value] of Object.entries(extra)) add(key, value);
  const text = params.toString();
  return text ? `?${text}` : "";
}

export function searchAudit(q: AuditQuery, cursor: string | null, limit = 50): Promise<AuditPage> {
  return api<AuditPage>("GET", `/audit${queryString(q, { limit, cursor })}`);
}

export async function auditActions(): Promise<AuditAction[]> {
  return (await api<{ items: AuditAction[] }>("GET", "/audit/actions")).items;
}

export function recordHistory(formId: number, recordId: number, cursor: string | null, limit = 20) {
  const qs = new URLSearchParams({ limit: String(limit) });
  if (cursor) qs.set("cursor", cursor);
  return api<{ items: HistoryEntry[]; next_cursor: string | null }>(
    "GET",
    `/forms/${formId}/records/${recordId}/history?${qs.toString()}`,
  );
}

/** Download the CSV export (fetched, so the UI language is sent as Accept-Language). */
export async function downloadExport(q: AuditQuery, locale: string): Promise<void> {
  const response = await fetch(`/api/v1/audit/export${queryString(q)}`, {
    headers: { "Accept-Language": locale },
    credentials: "same-origin",
  });
  if (!response.ok) {
    const data = await response.json().catch(() => null);
    const error = data?.error ?? {};
    throw new ApiError(response.status, error.code ?? "http_error", error.message ?? response.statusText, error.details ?? []);
  }
  const disposition = response.headers.get("content-disposition") ?? "";
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? "audit.csv";
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
