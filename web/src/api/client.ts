/**
 * The one HTTP client of the SPA: JSON in and out, the session cookie, the CSRF token
 * on writes, the UI language as Accept-Language, and the API's one error shape turned
 * into an ApiError whose `details` name the fields.
 */
export interface ErrorDetail {
  field: string;
  code: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public details: ErrorDetail[] = [],
  ) {
    super(message);
  }

  /** field key -> message, for showing errors next to the field they name */
  byField(): Record<string, string> {
    return Object.fromEntries(this.details.map((d) => [d.field, d.message]));
  }
}

/** One line for a failure shown in a single place: every detail's message when the
 * server named them, else the error's own message. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError && e.details.length) return e.details.map((d) => d.message).join("；");
  return (e as Error).message;
}

let csrfToken = "";
let locale = "zh-CN";

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export function setApiLocale(value: string): void {
  locale = value;
}

/** The headers a request made outside `api()` needs (an upload component's own XHR). */
export function writeHeaders(): Record<string, string> {
  return csrfToken ? { "Accept-Language": locale, "X-CSRF-Token": csrfToken } : { "Accept-Language": locale };
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { "Accept-Language": locale };
  // a Blob (an uploaded file) goes as it is, everything else as JSON
  const blob = body instanceof Blob ? body : null;
  if (body !== undefined) headers["Content-Type"] = blob ? blob.type || "application/octet-stream" : "application/json";
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : (blob ?? JSON.stringify(body)),
  });
  if (response.status === 204) return undefined as T;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = data?.error ?? {};
    throw new ApiError(response.status, error.code ?? "http_error", error.message ?? response.statusText, error.details ?? []);
  }
  return data as T;
}
