import { Switch } from "@element-plus/icons-vue";
import { tr } from "@/i18n";
import { registerField } from "../registry";

registerField({
  type: "boolean", icon: Switch, group: "choice",
  editor: () => import("../editors/BooleanEditor.vue"),
  format: (v) => tr(v ? "common.yes" : "common.no"),
  empty: () => false,
  settings: ["description"],
});
