import { Operation } from "@element-plus/icons-vue";
import { formatComputedField } from "@/components/formula/computedFormat";
import { registerField } from "../registry";

/** A formula field: computed by the server from its expression (settings: expression, result, precision, format). */
registerField({
  type: "formula", icon: Operation, group: "advanced",
  editor: () => import("@/components/formula/ComputedEditor.vue"),
  format: formatComputedField,
  empty: () => null,
  settings: ["description"],
  readonly: true,
  settingsPanel: () => import("@/components/formula/FormulaSettings.vue"),
});
