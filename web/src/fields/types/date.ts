import { Calendar, Clock } from "@element-plus/icons-vue";
import { localeRef } from "@/i18n";
import { registerField } from "../registry";

const editor = () => import("../editors/DateEditor.vue");

// one formatter per UI language (creating one per cell is slow on big pages)
const formatters = new Map<string, Intl.DateTimeFormat>();
function dateTimeFormat(): Intl.DateTimeFormat {
  let formatter = formatters.get(localeRef.value);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(localeRef.value, {
      year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    });
    formatters.set(localeRef.value, formatter);
  }
  return formatter;
}

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
    return dateTimeFormat().format(d);
  },
  settings: ["description", "placeholder"],
});
