import { Document } from "@element-plus/icons-vue";
import { registerField } from "../registry";

/** Plain text of (server-sanitised) HTML for tables and cards, without building a DOM. */
export function htmlToText(html: string): string {
  const doc = new DOMParser().parseFromString(html.replace(/<\/(p|h[1-4]|li|blockquote|pre|tr)>|<br\s*\/?>/gi, "$&\n"), "text/html");
  return (doc.body.textContent ?? "").replace(/[ \t]*\n[ \t\n]*/g, " ").trim();
}

registerField({
  type: "richtext", icon: Document, group: "basic",
  editor: () => import("../editors/RichtextEditor.vue"),
  format: (v) => htmlToText(String(v)),
  empty: () => null,
  settings: ["description", "placeholder"],
  settingsPanel: () => import("../editors/RichSettingsPanel.vue"),
  display: () => import("../editors/RichtextValue.vue"),
});
