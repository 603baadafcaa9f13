import { Star } from "@element-plus/icons-vue";
import type { Field } from "@/api/types";
import { registerField } from "../registry";

/** ★★★☆☆, or 3/5 when the field's style says so (the same text the server exports). */
export function formatRating(value: unknown, field: Field): string {
  const n = Number(value);
  if (!Number.isInteger(n)) return String(value);
  const max = Number(field.settings.max ?? 5);
  if (field.settings.style === "fraction") return `${n}/${max}`;
  const filled = Math.min(Math.max(n, 0), max);
  return "★".repeat(filled) + "☆".repeat(max - filled);
}

registerField({
  type: "rating", icon: Star, group: "choice",
  editor: () => import("../editors/RatingEditor.vue"),
  format: formatRating,
  empty: () => null,
  settings: ["description"],
  settingsPanel: () => import("../editors/RichSettingsPanel.vue"),
});
