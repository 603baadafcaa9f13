import { DataAnalysis } from "@element-plus/icons-vue";
import { formatComputedField } from "@/components/formula/computedFormat";
import { registerField } from "../registry";

/** An aggregate over related records (count, sum, min, max, avg, with a condition), computed by the server. */
registerField({
  type: "rollup", icon: DataAnalysis, group: "advanced",
  editor: () => import("@/components/formula/ComputedEditor.vue"),
  format: formatComputedField,
  empty: () => null,
  settings: ["description"],
  readonly: true,
  settingsPanel: () => import("@/components/formula/RollupSettings.vue"),
});
