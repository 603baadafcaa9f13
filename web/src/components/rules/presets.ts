/**
 * Regular expressions offered as presets for a field's format rule, in Python's `re`
 * syntax (the server checks them) that JavaScript reads the same way.
 */
export interface RegexPreset {
  id: "mobile" | "email" | "postcode" | "uscc";
  pattern: string;
  message: { "zh-CN": string; en: string };
}

export const REGEX_PRESETS: RegexPreset[] = [
  { id: "mobile", pattern: "^1[3-9]\\d{9}$", message: { "zh-CN": "请输入正确的 11 位手机号", en: "Enter a valid 11-digit mobile number" } },
  { id: "email", pattern: "^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$", message: { "zh-CN": "请输入正确的邮箱地址", en: "Enter a valid email address" } },
  { id: "postcode", pattern: "^\\d{6}$", message: { "zh-CN": "邮编应为 6 位数字", en: "A postcode has 6 digits" } },
  {
    // GB 32100-2015: registration authority, type, 6-digit region code, 9-character organisation code, check character
    id: "uscc", pattern: "^[0-9A-HJ-NPQRTUWXY]{2}\\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
    message: { "zh-CN": "请输入正确的 18 位统一社会信用代码", en: "Enter a valid 18-character unified social credit code" },
  },
];

/** Whether JavaScript can compile the pattern (a hint while typing; the server has the last word). */
export function validPattern(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

export type FieldRule =
  | { kind: "regex"; pattern: string; message?: string }
  | { kind: "length"; min?: number | null; max?: number | null; message?: string }
  | { kind: "range"; min?: number | string | null; max?: number | string | null; message?: string };

/** A rule ready to store: empty bounds and messages left out. */
export function cleanRule(rule: FieldRule): FieldRule {
  const out: Record<string, unknown> = { kind: rule.kind };
  for (const [k, v] of Object.entries(rule)) {
    if (k === "kind" || v === null || v === undefined || v === "") continue;
    out[k] = v;
  }
  return out as FieldRule;
}
