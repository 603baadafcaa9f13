import { createI18n } from "vue-i18n";
import zhCN from "./zh-CN";
import en from "./en";
import { setApiLocale } from "@/api/client";

export const LOCALES = [
  { value: "zh-CN", label: "简体中文" },
  { value: "en", label: "English" },
] as const;

const STORAGE_KEY = "qiao.locale";

export function initialLocale(): string {
  const saved = localStorage.getItem(STORAGE_KEY);
  return saved === "en" || saved === "zh-CN" ? saved : "zh-CN";
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: "zh-CN",
  messages: { "zh-CN": zhCN, en },
});
setApiLocale(initialLocale());

export function setLocale(value: string): void {
  i18n.global.locale.value = value as "zh-CN" | "en";
  localStorage.setItem(STORAGE_KEY, value);
  document.documentElement.lang = value;
  setApiLocale(value);
}
