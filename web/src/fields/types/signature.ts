import { EditPen } from "@element-plus/icons-vue";
import { asFiles } from "../files";
import { registerField } from "../registry";

registerField({
  type: "signature", icon: EditPen, group: "advanced",
  editor: () => import("../editors/SignatureEditor.vue"),
  format: (v) => asFiles(v).map((f) => f.name).join("、"),
  empty: () => [],
  settings: ["description"],
  settingsPanel: () => import("../editors/FileSettingsPanel.vue"),
  display: () => import("../editors/FileValue.vue"),
});
