import { describe, expect, it } from "vitest";
import { useLatestList } from "@/composables/useLatestList";

describe("useLatestList", () => {
  it("keeps the answer of the latest call when an older one arrives last", async () => {
    const answers: ((items: number[]) => void)[] = [];
    const list = useLatestList(() => new Promise<number[]>((resolve) => answers.push(resolve)));
    const first = list.load();
    const second = list.load();
    answers[1]([2]);
    await second;
    answers[0]([1]);
    await first;
    expect(list.items.value).toEqual([2]);
    expect(list.loading.value).toBe(false);
  });

  it("keeps the error message and clears it on the next load", async () => {
    let fail = true;
    const list = useLatestList(async () => {
      if (fail) throw new Error("需要管理员权限");
      return ["ok"];
    });
    await list.load();
    expect(list.error.value).toBe("需要管理员权限");
    fail = false;
    await list.load();
    expect(list.error.value).toBe("");
    expect(list.items.value).toEqual(["ok"]);
  });
});
