import { describe, expect, it } from "vitest";
import { buildLazyMessages, buildMessages } from "@/i18n";

function keys(obj: unknown, prefix = ""): string[] {
  if (typeof obj !== "object" || obj === null) return [prefix];
  return Object.entries(obj).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

/** the distinct placeholders: an English plural ("{n} group | {n} groups") repeats them */
function placeholders(text: unknown): string[] {
  return [...new Set([...String(text).matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
}

function lookup(obj: any, path: string): unknown {
  return path.split(".").reduce((o, k) => o?.[k], obj);
}

describe("UI messages", async () => {
  const messages = buildMessages();
  const lazy = await buildLazyMessages();
  for (const locale of ["zh-CN", "en"] as const) {
    for (const [area, texts] of Object.entries(lazy[locale])) {
      expect(messages[locale][area], `${area} is both eager and lazy`).toBeUndefined();
      messages[locale][area] = texts;
    }
  }

  it("has every zh-CN message in English and the other way round", () => {
    const zh = keys(messages["zh-CN"]).sort();
    const en = keys(messages.en).sort();
    expect(en.filter((k) => !zh.includes(k))).toEqual([]);
    expect(zh.filter((k) => !en.includes(k))).toEqual([]);
  });

  it("uses the same placeholders in both languages", () => {
    for (const key of keys(messages["zh-CN"])) {
      expect(placeholders(lookup(messages.en, key)), key).toEqual(placeholders(lookup(messages["zh-CN"], key)));
    }
  });

  it("names every field type of the registry", async () => {
    const { allWidgets } = await import("@/fields");
    expect(allWidgets().length).toBeGreaterThan(10);
    for (const widget of allWidgets()) {
      expect(lookup(messages["zh-CN"], `fieldTypes.${widget.type}`), widget.type).toBeTruthy();
    }
  });
});
