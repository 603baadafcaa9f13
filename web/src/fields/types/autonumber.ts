import { List } from "@element-plus/icons-vue";
import { registerField } from "../registry";

registerField({
  type: "autonumber", icon: List, group: "advanced",
  editor: () => import("../editors/AutonumberEditor.vue"),
  format: (v) => String(v),
  empty: () => null,
  settings: ["description", "pattern"],
  readonly: true,
});
