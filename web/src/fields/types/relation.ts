import { Connection } from "@element-plus/icons-vue";
import { useTitlesStore } from "@/stores/titles";
import { registerField } from "../registry";

registerField({
  type: "relation", icon: Connection, group: "advanced",
  editor: () => import("../editors/RelationEditor.vue"),
  format: (v, f) => {
    const titles = useTitlesStore();
    const target = Number(f.settings.target_form_id);
    const ids = Array.isArray(v) ? v : [v];
    return ids.map((id) => titles.title(target, Number(id))).join("、");
  },
  empty: () => null,
  settings: ["description", "placeholder", "target_form_id", "display_field", "multiple", "on_delete"],
});
