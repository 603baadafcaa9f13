import { View } from "@element-plus/icons-vue";
import { formatComputedField } from "@/components/formula/computedFormat";
import { registerField } from "../registry";

/** A field of the related record (settings: relation, field), shown read-only. */
registerField({
  type: "lookup", icon: View, group: "advanced",
  editor: () => import("@/components/formula/ComputedEditor.vue"),
  format: formatComputedField,
  empty: () => null,
  settings: ["description"],
  readonly: true,
  settingsPanel: () => import("@/components/formula/LookupSettings.vue"),
});
