/**
 * The web side of imports (issue 6): the JSON shapes of `/imports`, the multipart upload
 * the wizard and "create from sheet" share, polling an import while its job runs, and the
 * small pure helpers the pages need (carrying a mapping over to a re-uploaded file,
 * applying a saved mapping by header label).
 */
import { getCurrentScope, onScopeDispose, ref, type Ref } from "vue";
import { ApiError, writeHeaders } from "@/api/client";

export type ImportState = "draft" | "queued" | "running" | "done" | "failed" | "cancelled" | "undoing" | "undone";
export type Strategy = "skip" | "update" | "create";

export interface ImportOptions {
  dedupe_keys: string[];
  fuzzy: boolean;
  threshold: number;
  strategy: Strategy;
  option_map: Record<string, Record<string, string | null>>;
  save_mapping_as?: string | null;
}

export interface SheetInfo {
  index: number;
  name: string;
  rows: string[][];
  row_count: number;
  header_row: number;
}

export interface ColumnInfo {
  index: number;
  label: string;
  samples: string[];
}

export interface SavedMapping {
  id: number;
  name: string;
  mapping: Record<string, string | null>;
}

export interface ImportSummary {
  rows: number;
  valid: number;
  errors: number;
  duplicates_file: number;
  duplicates_existing: number;
  create: number;
  update: number;
  skip: number;
  unknown_options: Record<string, string[]>;
}

export interface ImportCounts {
  total: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}

export interface ImportJob {
  id: number;
  state: string;
  done: number;
  total: number;
  progress: number;
}

export interface ProposedField {
  column: number;
  label: string;
  type: string;
  settings: Record<string, unknown>;
  samples: string[];
  blank_ratio: number;
}

export interface ImportItem {
  id: number;
  form_id: number | null;
  app_id: number;
  state: ImportState;
  filename: string;
  size: number;
  sheet: number | string | null;
  header_row: number | null;
  sheets?: SheetInfo[];
  columns?: ColumnInfo[];
  mapping: Record<string, string | null>;
  saved_mappings?: SavedMapping[];
  options: ImportOptions;
  summary: ImportSummary | null;
  counts: ImportCounts;
  job: ImportJob | null;
  created_by: { id: number; name: string } | null;
  created_at: string;
  finished_at: string | null;
  undone_at: string | null;
  error: string | null;
  proposed_fields?: ProposedField[];
}

export interface PreviewCell {
  raw: string;
  text: string;
  changed: boolean;
  issue: string | null;
}

export interface PreviewDuplicate {
  kind: "file" | "existing";
  row_no?: number;
  record_id?: number;
  title?: string;
  score: number;
}

export interface PreviewRow {
  row_no: number;
  cells: Record<string, PreviewCell>;
  errors: { field: string; column: string; code: string; message: string }[];
  duplicate: PreviewDuplicate | null;
  action: "create" | "update" | "skip" | "error";
}

export interface PreviewPage {
  total: number;
  items: PreviewRow[];
  summary: ImportSummary | null;
}

export type PreviewFilter = "all" | "changed" | "errors" | "duplicates";

/** What the file input accepts (the readers' suffixes). */
export const ACCEPT = ".xlsx,.xlsm,.xls,.csv,.txt,.ods";
/** The largest file the page sends (the server has its own limit and says so). */
export const MAX_MB = 50;

/** The states in which a job is working on the import: poll until it leaves them. */
export function isBusy(state: ImportState | undefined): boolean {
  return state === "queued" || state === "running" || state === "undoing";
}

/** Done (or stopped) imports whose records can be taken back in one go. */
export function canUndo(item: Pick<ImportItem, "state" | "counts">): boolean {
  return (item.state === "done" || item.state === "cancelled" || item.state === "failed") && item.counts.created + item.counts.updated > 0;
}

/** 0..100 for the progress bar: the job's own progress, else the rows written so far. */
export function percentOf(item: Pick<ImportItem, "state" | "job" | "counts">): number {
  if (item.state === "done" || item.state === "undone") return 100;
  if (item.job && item.job.total > 0) return Math.min(100, Math.round((item.job.done / item.job.total) * 100));
  if (item.job) return Math.min(100, Math.round(item.job.progress * 100));
  const c = item.counts;
  const done = c.created + c.updated + c.skipped + c.failed;
  return c.total ? Math.min(100, Math.round((done / c.total) * 100)) : 0;
}

/** Upload a file as multipart "file" (plus plain form fields) and return the JSON answer. */
export async function uploadFile<T>(path: string, file: File | Blob, name: string, fields: Record<string, string> = {}): Promise<T> {
  const body = new FormData();
  body.append("file", file, name);
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  const response = await fetch(`/api/v1${path}`, { method: "POST", body, headers: writeHeaders(), credentials: "same-origin" });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = data?.error ?? {};
    throw new ApiError(response.status, error.code ?? "upload_failed", error.message ?? response.statusText, error.details ?? []);
  }
  return data as T;
}

/**
 * Compare header labels the way people write them: width (NFKC), case, spaces and
 * punctuation do not matter ("客户 名称" = "客户名称", "Phone No." = "phoneno").
 */
export function labelKey(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, "");
}

/**
 * Carry a mapping (column index -> field key) over to another file's columns by header
 * label: a corrected error report has an extra first column, so indexes move but labels
 * stay. Columns of the new file the old one did not have keep `fallback`'s proposal.
 */
export function remapByLabel(
  oldColumns: Pick<ColumnInfo, "index" | "label">[],
  oldMapping: Record<string, string | null>,
  newColumns: Pick<ColumnInfo, "index" | "label">[],
  fallback: Record<string, string | null> = {},
): Record<string, string | null> {
  const byLabel = new Map<string, string | null>();
  for (const c of oldColumns) {
    const key = labelKey(c.label);
    if (!byLabel.has(key)) byLabel.set(key, oldMapping[String(c.index)] ?? null);
  }
  const result: Record<string, string | null> = {};
  const used = new Set<string>();
  for (const c of newColumns) {
    const key = labelKey(c.label);
    const field = byLabel.has(key) ? byLabel.get(key)! : (fallback[String(c.index)] ?? null);
    result[String(c.index)] = field && !used.has(field) ? field : null;
    if (field) used.add(field);
  }
  return result;
}

/**
 * A saved mapping applied to the columns: its keys are column indexes (as the server
 * sends a saved mapping already laid onto this file) or header labels (compared with
 * `labelKey`); a field is used once; columns it does not name keep their current choice.
 */
export function applySavedMapping(
  columns: Pick<ColumnInfo, "index" | "label">[],
  saved: Record<string, string | null>,
  current: Record<string, string | null>,
): Record<string, string | null> {
  const normalised = new Map(Object.entries(saved).map(([k, v]) => [labelKey(k), v]));
  const result: Record<string, string | null> = {};
  for (const c of columns) {
    const byIndex = saved[String(c.index)];
    const byLabel = normalised.get(labelKey(c.label));
    result[String(c.index)] = byIndex ?? byLabel ?? current[String(c.index)] ?? null;
  }
  const seen = new Set<string>();
  for (const c of columns) {
    const f = result[String(c.index)];
    if (f && seen.has(f)) result[String(c.index)] = null;
    if (f) seen.add(f);
  }
  return result;
}

export interface Poller<T> {
  value: Ref<T | null>;
  /** the last poll failed (the server unreachable for a moment): polling goes on */
  lost: Ref<boolean>;
  polling: Ref<boolean>;
  start: (initial?: T) => void;
  stop: () => void;
}

/**
 * Poll `fetch` every `interval` ms while `keepGoing(value)` holds (one request at a time,
 * never overlapping); stopped when the calling component goes away.
 */
export function usePoller<T>(fetch: () => Promise<T>, keepGoing: (value: T) => boolean, interval = 1000): Poller<T> {
  const value = ref<T | null>(null) as Ref<T | null>;
  const lost = ref(false);
  const polling = ref(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;

  async function tick(mine: number): Promise<void> {
    try {
      const next = await fetch();
      if (mine !== generation) return;
      value.value = next;
      lost.value = false;
    } catch {
      if (mine !== generation) return;
      lost.value = true;
    }
    if (value.value === null || keepGoing(value.value)) timer = setTimeout(() => void tick(mine), interval);
    else polling.value = false;
  }

  function stop(): void {
    generation++;
    clearTimeout(timer);
    polling.value = false;
  }

  function start(initial?: T): void {
    stop();
    if (initial !== undefined) value.value = initial;
    polling.value = true;
    const mine = generation;
    timer = setTimeout(() => void tick(mine), initial !== undefined ? interval : 0);
  }

  if (getCurrentScope()) onScopeDispose(stop);
  return { value, lost, polling, start, stop };
}
