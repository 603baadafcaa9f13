import { Switch } from "@element-plus/icons-vue";
import { i18n } from "@/i18n";
import { registerField } from "../registry";

registerField({
  type: "boolean", icon: Switch, group: "choice",
  editor: () => import("../editors/BooleanEditor.vue"),
  format: (v) => i18n.global.t(v ? "common.yes" : "common.no"),
  empty: () => false,
  settings: ["description"],
});
