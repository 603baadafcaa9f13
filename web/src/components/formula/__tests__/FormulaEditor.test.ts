import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flushPromises, mount } from "@vue/test-utils";
import { nextTick } from "vue";
import { i18n } from "@/i18n";
import type { ScopeField } from "../formulaText";

const calls: { method: string; path: string; body: any }[] = [];
vi.mock("@/api/client", async (orig) => {
  const real = await orig<typeof import("@/api/client")>();
  return {
    ...real,
    api: vi.fn(async (method: string, path: string, body: any) => {
      calls.push({ method, path, body });
      if (path === "/formula/functions") {
        return { items: [{ name: "SUM", category: "math", signature: "SUM(number1, ...)", summary: "求和", examples: [{ formula: "SUM(1, 2)", result: "3" }] }] };
      }
      if (body.expression.includes("*)")) {
        // "{数量} *)": the ")" (code point 6) is misplaced
        throw new real.ApiError(422, "validation_failed", "x", [{ field: "expression", code: "formula_unexpected", message: "这里不应出现“)”", params: { start: 6, end: 7 } } as any]);
      }
      return { kind: "number", references: ["qty"], sample: { record_id: 1, value: 1234, display: "1234" } };
    }),
  };
});

const FormulaEditor = (await import("../FormulaEditor.vue")).default;
const FormulaInput = (await import("../FormulaInput.vue")).default;

const scope: ScopeField[] = [
  { key: "qty", label: "数量", type: "number" },
  { key: "lines", label: "明细", type: "subform", children: [{ key: "subtotal", label: "小计", type: "formula" }] },
];

beforeEach(() => {
  calls.length = 0;
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  document.body.innerHTML = "";
});

describe("FormulaInput", () => {
  it("draws references as chips and underlines the error range", () => {
    const w = mount(FormulaInput, { props: { modelValue: "SUM({明细}.{小计}) + nope", scope, error: { start: 0, end: 3 } }, global: { plugins: [i18n] } });
    expect(w.find(".ref").text()).toBe("{明细}.{小计}");
    expect(w.find(".ref.unknown").text()).toBe("nope");
    expect(w.find(".bad").text()).toBe("SUM");
    expect(w.find(".func").text()).toBe("SUM");
  });
});

describe("FormulaEditor", () => {
  it("shows keys as labels, checks once after typing stops, underlines the error and hands back keys", async () => {
    const w = mount(FormulaEditor, {
      props: { open: true, modelValue: "qty * 2", scope, formId: 5, purpose: "field", sampleFormat: { format: "money", precision: 2 } },
      global: { plugins: [i18n] },
      attachTo: document.body,
    });
    await flushPromises();
    const area = document.querySelector<HTMLTextAreaElement>("[data-test=formula-input]")!;
    expect(area.value).toBe("{数量} * 2");
    await vi.advanceTimersByTimeAsync(400);
    await flushPromises();
    expect(document.querySelector("[data-test=formula-sample]")?.textContent).toContain("¥1,234.00");
    const checks = () => calls.filter((c) => c.path === "/forms/5/formula/check");
    const before = checks().length;
    for (const text of ["{数量} *", "{数量} *)"]) {
      area.value = text;
      area.dispatchEvent(new Event("input"));
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(checks().length).toBe(before);
    await vi.advanceTimersByTimeAsync(400);
    await flushPromises();
    expect(checks().length).toBe(before + 1);
    expect(checks().at(-1)!.body).toMatchObject({ expression: "{数量} *)", purpose: "field" });
    await nextTick();
    expect(document.querySelector("[data-test=formula-error]")?.textContent).toContain("这里不应出现");
    expect(document.querySelector(".backdrop .bad")?.textContent).toBe(")");
    // a function picked with text selected wraps it
    area.value = "{明细}.{小计}";
    area.dispatchEvent(new Event("input"));
    await nextTick();
    area.setSelectionRange(0, area.value.length);
    (document.querySelector("[data-test=formula-fn-SUM]") as HTMLElement).click();
    await nextTick();
    expect(area.value).toBe("SUM({明细}.{小计})");
    expect(area.selectionStart).toBe(area.value.length - 1);
    (document.querySelector("[data-test=formula-confirm]") as HTMLButtonElement).click();
    await nextTick();
    expect(w.emitted("update:modelValue")?.[0]).toEqual(["SUM(lines.subtotal)"]);
    w.unmount();
  });
});
