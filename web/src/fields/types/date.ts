import { Calendar, Clock } from "@element-plus/icons-vue";
import { localeRef } from "@/i18n";
import { registerField } from "../registry";

const editor = () => import("../editors/DateEditor.vue");

registerField({
  type: "date", icon: Calendar, group: "datetime", editor, empty: () => null,
  format: (v) => String(v),
  settings: ["description", "placeholder"],
});
registerField({
  type: "datetime", icon: Clock, group: "datetime", editor, empty: () => null,
  format: (v) => {
    const d = new Date(String(v));
    if (Number.isNaN(d.getTime())) return String(v);
    return d.toLocaleString(localeRef.value, {
      year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    });
  },
  settings: ["description", "placeholder"],
});
