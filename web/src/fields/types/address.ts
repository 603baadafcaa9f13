import { MapLocation } from "@element-plus/icons-vue";
import { registerField } from "../registry";
import { PLACEHOLDER_CITIES } from "../regions";

export interface AddressValue {
  province_code?: string | null; province?: string | null;
  city_code?: string | null; city?: string | null;
  district_code?: string | null; district?: string | null;
  street?: string | null;
}

/** 广东省深圳市南山区 科技园 — the server's display text. */
export function formatAddress(v: unknown): string {
  if (!v || typeof v !== "object") return String(v ?? "");
  const a = v as AddressValue;
  const city = a.city && !PLACEHOLDER_CITIES.has(a.city) ? a.city : "";
  const names = `${a.province ?? ""}${city}${a.district ?? ""}`;
  return [names, a.street ?? ""].filter(Boolean).join(" ");
}

registerField({
  type: "address", icon: MapLocation, group: "contact",
  editor: () => import("../editors/AddressEditor.vue"),
  format: formatAddress,
  empty: () => null,
  settings: ["description"],
  settingsPanel: () => import("../editors/RichSettingsPanel.vue"),
});
