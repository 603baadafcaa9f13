import { Money, Odometer, PieChart } from "@element-plus/icons-vue";
import type { Field } from "@/api/types";
import { localeRef } from "@/i18n";
import { registerField } from "../registry";

const editor = () => import("../editors/NumberEditor.vue");

// building an Intl.NumberFormat is far costlier than using one: a table page formats
// hundreds of cells, so formatters are kept per locale and precision
const formatters = new Map<string, Intl.NumberFormat>();

function formatNumber(value: unknown, field: Field): string {
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  const precision: number | null | undefined = field.settings.precision;
  const cacheKey = `${localeRef.value}|${precision ?? ""}`;
  let formatter = formatters.get(cacheKey);
  if (!formatter) {
    const opts: Intl.NumberFormatOptions =
      precision == null ? { maximumFractionDigits: 6 } : { minimumFractionDigits: precision, maximumFractionDigits: precision };
    formatter = new Intl.NumberFormat(localeRef.value, opts);
    formatters.set(cacheKey, formatter);
  }
  return formatter.format(n);
}

registerField({
  type: "number", icon: Odometer, group: "basic", editor, format: formatNumber, empty: () => null,
  settings: ["description", "placeholder", "precision", "min", "max"],
});
registerField({
  type: "money", icon: Money, group: "basic", editor, empty: () => null,
  format: (v, f) => `${f.settings.currency === "CNY" || !f.settings.currency ? "¥" : f.settings.currency + " "}${formatNumber(v, f)}`,
  settings: ["description", "placeholder", "precision", "min", "max", "currency"],
});
registerField({
  type: "percent", icon: PieChart, group: "basic", editor, empty: () => null,
  // the API carries fractions: 0.155 is 15.5 %
  format: (v, f) => `${formatNumber(Number(v) * 100, f)}%`,
  settings: ["description", "placeholder", "precision", "min", "max"],
});
