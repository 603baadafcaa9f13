import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClickGuard } from "@/components/views/clickGuard";

describe("click guard", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("runs a single click after the double-click interval", () => {
    const guard = createClickGuard(250);
    const action = vi.fn();
    guard.later(action);
    vi.advanceTimersByTime(249);
    expect(action).not.toHaveBeenCalled();
    expect(guard.pending()).toBe(true);
    vi.advanceTimersByTime(1);
    expect(action).toHaveBeenCalledOnce();
    expect(guard.pending()).toBe(false);
  });

  it("drops the click when a double-click cancels it", () => {
    const guard = createClickGuard(250);
    const action = vi.fn();
    guard.later(action);
    vi.advanceTimersByTime(100);
    guard.cancel();
    vi.advanceTimersByTime(500);
    expect(action).not.toHaveBeenCalled();
  });

  it("keeps only the latest click", () => {
    const guard = createClickGuard(250);
    const first = vi.fn();
    const second = vi.fn();
    guard.later(first);
    guard.later(second);
    vi.advanceTimersByTime(250);
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledOnce();
  });
});
