import { Location } from "@element-plus/icons-vue";
import { registerField } from "../registry";

export interface Point { lat: number; lng: number; address?: string; accuracy?: number }

export function formatPoint(v: unknown): string {
  if (!v || typeof v !== "object") return String(v ?? "");
  const p = v as Point;
  const coords = `${Number(p.lat).toFixed(6)}, ${Number(p.lng).toFixed(6)}`;
  return p.address ? `${p.address} (${coords})` : coords;
}

registerField({
  type: "location", icon: Location, group: "contact",
  editor: () => import("../editors/LocationEditor.vue"),
  format: formatPoint,
  empty: () => null,
  settings: ["description"],
});
