import type { Ref } from "vue";
import { createI18n } from "vue-i18n";
import zhCN from "./zh-CN";
import en from "./en";
import { setApiLocale } from "@/api/client";

export const LOCALES = [
  { value: "zh-CN", label: "简体中文" },
  { value: "en", label: "English" },
] as const;

export type Locale = (typeof LOCALES)[number]["value"];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Messages = Record<string, any>;

type MessageModule = { default: Record<Locale, Messages> };

/**
 * Messages: the shell's in zh-CN.ts / en.ts, and one module per area in ./modules/
 * exporting `{ "zh-CN": {...}, en: {...} }` under its own top-level namespace, so that
 * pages can be built side by side without touching one file. Areas that only signed-in
 * pages use (import, export, duplicates) live in ./lazy/: they are fetched as their own
 * chunk before the first signed-in page shows (see `loadLazyMessages`), which keeps the
 * login page's first load within its budget.
 */
export function buildMessages(): Record<Locale, Messages> {
  const messages: Record<Locale, Messages> = { "zh-CN": { ...zhCN }, en: { ...en } };
  const modules = import.meta.glob<MessageModule>("./modules/*.ts", { eager: true });
  for (const mod of Object.values(modules)) {
    for (const locale of Object.keys(messages) as Locale[]) Object.assign(messages[locale], mod.default[locale]);
  }
  return messages;
}

const lazyModules = import.meta.glob<MessageModule>("./lazy/*.ts");
let lazyLoaded: Promise<void> | null = null;

/** The lazy areas' messages of both languages, as one object per locale (tests too). */
export async function buildLazyMessages(): Promise<Record<Locale, Messages>> {
  const messages: Record<Locale, Messages> = { "zh-CN": {}, en: {} };
  const modules = await Promise.all(Object.values(lazyModules).map((load) => load()));
  for (const mod of modules) {
    for (const locale of Object.keys(messages) as Locale[]) Object.assign(messages[locale], mod.default[locale]);
  }
  return messages;
}

/** Merge the lazy areas' messages into the app once; later calls share the first. */
export function loadLazyMessages(): Promise<void> {
  lazyLoaded ??= buildLazyMessages().then((messages) => {
    for (const locale of Object.keys(messages) as Locale[]) i18n.global.mergeLocaleMessage(locale, messages[locale]);
  });
  return lazyLoaded;
}

const STORAGE_KEY = "qiao.locale";

export function initialLocale(): Locale {
  const saved = localStorage.getItem(STORAGE_KEY);
  return saved === "en" || saved === "zh-CN" ? saved : "zh-CN";
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: "zh-CN",
  messages: buildMessages(),
});
setApiLocale(initialLocale());
document.documentElement.lang = initialLocale();

/** The UI language as a ref (the composition-mode global locale). */
export const localeRef = i18n.global.locale as unknown as Ref<Locale>;

/** Translate outside components (field formatters, stores). */
export function tr(key: string, params: Record<string, unknown> = {}): string {
  const global = i18n.global as unknown as { t: (k: string, p: Record<string, unknown>) => string };
  return global.t(key, params);
}

export function setLocale(value: string): void {
  localeRef.value = value as Locale;
  localStorage.setItem(STORAGE_KEY, value);
  document.documentElement.lang = value;
  setApiLocale(value);
}
