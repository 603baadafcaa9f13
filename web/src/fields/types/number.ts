import { Money, Odometer, PieChart } from "@element-plus/icons-vue";
import type { Field } from "@/api/types";
import { localeRef } from "@/i18n";
import { registerField } from "../registry";

const editor = () => import("../editors/NumberEditor.vue");

function formatNumber(value: unknown, field: Field): string {
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  const precision = field.settings.precision;
  const locale = localeRef.value;
  const opts: Intl.NumberFormatOptions =
    precision == null ? { maximumFractionDigits: 6 } : { minimumFractionDigits: precision, maximumFractionDigits: precision };
  return n.toLocaleString(locale, opts);
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
