import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { effectScope } from "vue";
import {
  applySavedMapping, canUndo, isBusy, labelKey, percentOf, remapByLabel, usePoller, type ImportItem,
} from "@/composables/useImport";

type Polled = { state: string; n: number };

describe("usePoller", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("polls every second while the job runs and stops when it is done", async () => {
    const answers: Polled[] = [{ state: "running", n: 1 }, { state: "running", n: 2 }, { state: "done", n: 3 }];
    const fetch = vi.fn(async () => answers.shift()!);
    const poller = usePoller<Polled>(fetch, (v) => v.state === "running", 1000);
    poller.start({ state: "queued", n: 0 });
    expect(poller.value.value?.n).toBe(0);
    expect(fetch).not.toHaveBeenCalled(); // the initial value is fresh: the first poll waits a second
    await vi.advanceTimersByTimeAsync(1000);
    expect(poller.value.value?.n).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(poller.value.value?.n).toBe(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(poller.value.value?.state).toBe("done");
    expect(poller.polling.value).toBe(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it("keeps polling through a failed request and says the progress is lost meanwhile", async () => {
    let fail = true;
    const fetch = vi.fn(async () => {
      if (fail) throw new Error("502");
      return { state: "done", n: 9 };
    });
    const poller = usePoller<Polled>(fetch, (v) => v.state === "running", 1000);
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(poller.lost.value).toBe(true);
    expect(poller.polling.value).toBe(true);
    fail = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(poller.lost.value).toBe(false);
    expect(poller.value.value?.n).toBe(9);
    expect(poller.polling.value).toBe(false);
  });

  it("ignores an answer that arrives after stop, and stops with its component", async () => {
    let resolve: (v: Polled) => void = () => undefined;
    const fetch = vi.fn(() => new Promise<Polled>((r) => (resolve = r)));
    const scope = effectScope();
    const poller = scope.run(() => usePoller<Polled>(fetch, () => true, 1000))!;
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(1);
    scope.stop(); // the component is unmounted while the request is in flight
    resolve({ state: "running", n: 5 });
    await vi.advanceTimersByTimeAsync(3000);
    expect(poller.value.value).toBeNull();
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("a restart drops the old loop: never two requests per tick", async () => {
    const fetch = vi.fn(async () => ({ state: "running", n: 1 }));
    const poller = usePoller<Polled>(fetch, () => true, 1000);
    poller.start();
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetch).toHaveBeenCalledTimes(2);
    poller.stop();
  });
});

describe("mapping helpers", () => {
  it("compares labels ignoring width, case, spaces and punctuation", () => {
    expect(labelKey("客户 名称")).toBe(labelKey("客户名称"));
    expect(labelKey("Ｐｈｏｎｅ No.")).toBe("phoneno");
    expect(labelKey("电话（手机）")).toBe("电话手机");
  });

  it("carries a mapping over to a corrected report whose columns moved by one", () => {
    const old = [{ index: 0, label: "客户名称" }, { index: 1, label: "电话" }, { index: 2, label: "备注" }];
    const report = [
      { index: 0, label: "错误说明" }, { index: 1, label: "客户名称" }, { index: 2, label: "电 话" }, { index: 3, label: "备注" }, { index: 4, label: "邮箱" },
    ];
    // the server's proposal for the new file: used only for columns the old file did not have
    const proposed = { 0: null, 1: "name", 2: "phone", 3: "notes", 4: "email" };
    const mapped = remapByLabel(old, { 0: "name", 1: "phone", 2: null }, report, proposed);
    expect(mapped).toEqual({ 0: null, 1: "name", 2: "phone", 3: null, 4: "email" });
  });

  it("applies a saved mapping by header label and uses each field once", () => {
    const columns = [{ index: 0, label: "客户名称" }, { index: 1, label: "手机" }, { index: 2, label: "公司" }];
    const result = applySavedMapping(columns, { 客户名称: "name", "手 机": "phone", 公司: "name" }, { 2: "company" });
    expect(result).toEqual({ 0: "name", 1: "phone", 2: null });
  });

  it("applies a saved mapping the server laid onto this file's column indexes", () => {
    const columns = [{ index: 0, label: "名称" }, { index: 1, label: "电话" }, { index: 2, label: "备注" }];
    expect(applySavedMapping(columns, { 0: "name", 1: "phone", 2: null }, { 2: "notes" })).toEqual({ 0: "name", 1: "phone", 2: "notes" });
  });
});

describe("import state helpers", () => {
  const base = { job: null, counts: { total: 10, created: 0, updated: 0, skipped: 0, failed: 0 } };
  it("knows when to poll and what can be undone", () => {
    expect(isBusy("running")).toBe(true);
    expect(isBusy("undoing")).toBe(true);
    expect(isBusy("done")).toBe(false);
    expect(canUndo({ state: "done", counts: { ...base.counts, created: 3 } })).toBe(true);
    expect(canUndo({ state: "done", counts: base.counts })).toBe(false);
    expect(canUndo({ state: "draft", counts: { ...base.counts, created: 3 } })).toBe(false);
  });

  it("reports progress from the job, else from the counts; done is 100 %", () => {
    const running = { ...base, state: "running", job: { id: 1, state: "running", done: 250, total: 1000, progress: 0.25 } } as Pick<ImportItem, "state" | "job" | "counts">;
    expect(percentOf(running)).toBe(25);
    expect(percentOf({ ...base, state: "running", counts: { ...base.counts, created: 4, failed: 1 } })).toBe(50);
    expect(percentOf({ ...base, state: "done" })).toBe(100);
  });
});
