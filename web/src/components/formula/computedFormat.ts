import type { Field } from "@/api/types";
import { localeRef, tr } from "@/i18n";

/**
 * How computed values (formula, lookup, rollup) read: by the formula's result kind and its
 * format — a money amount with ¥, a percent from a fraction (0.155 → 15.5%), numbers with
 * the chosen decimals — dates as the server sends them, booleans as 是/否, lists joined.
 */
const formatters = new Map<string, Intl.NumberFormat>();

export function formatNumber(n: number, precision: number | null | undefined, locale = localeRef.value): string {
  const key = `${locale}|${precision ?? ""}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, precision == null ? { maximumFractionDigits: 6 } : { minimumFractionDigits: precision, maximumFractionDigits: precision });
    formatters.set(key, f);
  }
  return f.format(n);
}

export function formatComputed(value: unknown, settings: Record<string, any>, locale = localeRef.value): string {
  if (value == null || value === "") return "";
  if (Array.isArray(value)) return value.map((v) => formatComputed(v, settings, locale)).filter(Boolean).join("、");
  if (typeof value === "boolean") return tr(value ? "common.yes" : "common.no");
  if (typeof value === "object") return JSON.stringify(value);
  // Excel error values (#DIV/0!) and text pass through
  const n = typeof value === "number" ? value : settings.result === "number" && /^-?\d+(\.\d+)?$/.test(String(value)) ? Number(value) : NaN;
  if (!Number.isFinite(n)) return String(value);
  const precision: number | null | undefined = settings.precision;
  if (settings.format === "percent") return `${formatNumber(n * 100, precision, locale)}%`;
  if (settings.format === "money") return `¥${formatNumber(n, precision ?? 2, locale)}`;
  return formatNumber(n, precision, locale);
}

/** A computed field's value as text, for the widgets' `format`. */
export function formatComputedField(value: unknown, field: Field): string {
  return formatComputed(value, field.settings ?? {});
}
