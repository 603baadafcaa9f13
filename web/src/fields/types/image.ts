import { Picture } from "@element-plus/icons-vue";
import { asFiles } from "../files";
import { registerField } from "../registry";

registerField({
  type: "image", icon: Picture, group: "advanced",
  editor: () => import("../editors/FileEditor.vue"),
  format: (v) => asFiles(v).map((f) => f.name).join("、"),
  empty: () => [],
  settings: ["description"],
  settingsPanel: () => import("../editors/FileSettingsPanel.vue"),
  display: () => import("../editors/FileValue.vue"),
});
