import { CircleCheck, Finished } from "@element-plus/icons-vue";
import { registerField } from "../registry";

const editor = () => import("../editors/SelectEditor.vue");
const settings = ["description", "placeholder", "choices"];

registerField({ type: "select", icon: CircleCheck, group: "choice", editor, format: (v) => String(v), empty: () => null, settings });
registerField({
  type: "multiselect", icon: Finished, group: "choice", editor, settings,
  format: (v) => (Array.isArray(v) ? v.join("、") : String(v)),
  empty: () => [],
});
