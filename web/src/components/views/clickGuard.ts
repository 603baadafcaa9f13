/** How long a click waits to learn whether it starts a double-click. */
export const DOUBLE_CLICK_MS = 250;

/**
 * Single clicks that give way to double-clicks: `later(action)` runs the action after
 * `delay` ms unless `cancel()` (the second click, the editor opening) comes first. The
 * table uses it so that double-clicking a link or title cell only edits it.
 */
export function createClickGuard(delay = DOUBLE_CLICK_MS) {
  let timer: ReturnType<typeof setTimeout> | undefined;

  function cancel(): void {
    clearTimeout(timer);
    timer = undefined;
  }

  function later(action: () => void): void {
    cancel();
    timer = setTimeout(() => {
      timer = undefined;
      action();
    }, delay);
  }

  return { later, cancel, pending: () => timer !== undefined };
}
