import { Document } from "@element-plus/icons-vue";
import { registerField } from "../registry";

registerField({
  type: "textarea",
  icon: Document,
  group: "basic",
  editor: () => import("../editors/TextareaEditor.vue"),
  format: (v) => String(v),
  empty: () => null,
  settings: ["description", "placeholder", "max_length"],
});
