import { Grid } from "@element-plus/icons-vue";
import { tr } from "@/i18n";
import { registerField } from "../registry";

/** Sub-form (子表单): rows of child columns; a table cell shows how many rows there are. */
registerField({
  type: "subform", icon: Grid, group: "advanced",
  editor: () => import("../editors/SubformEditor.vue"),
  display: () => import("../editors/SubformValue.vue"),
  settingsPanel: () => import("../editors/SubformSettings.vue"),
  format: (v) => tr("subform.rows", { n: Array.isArray(v) ? v.length : 0 }),
  empty: () => [],
  settings: ["description"],
});
