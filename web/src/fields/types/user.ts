import { User } from "@element-plus/icons-vue";
import { useFormsStore } from "@/stores/forms";
import { registerField } from "../registry";

registerField({
  type: "user", icon: User, group: "advanced",
  editor: () => import("../editors/UserEditor.vue"),
  format: (v) => useFormsStore().userName(Number(v)),
  empty: () => null,
  settings: ["description", "placeholder"],
});
