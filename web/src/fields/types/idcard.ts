import { Postcard } from "@element-plus/icons-vue";
import { registerField } from "../registry";

registerField({
  type: "idcard", icon: Postcard, group: "contact",
  editor: () => import("../editors/IdcardEditor.vue"),
  format: (v) => String(v),
  empty: () => null,
  settings: ["description", "placeholder"],
  settingsPanel: () => import("../editors/RichSettingsPanel.vue"),
});
