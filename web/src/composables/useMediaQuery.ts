import { onBeforeUnmount, ref, type Ref } from "vue";

/** A reactive `matchMedia`, e.g. useMediaQuery("(max-width: 768px)") for phone layouts. */
export function useMediaQuery(query: string): Ref<boolean> {
  const list = typeof window !== "undefined" && window.matchMedia ? window.matchMedia(query) : null;
  const matches = ref(list?.matches ?? false);
  const update = (e: MediaQueryListEvent) => (matches.value = e.matches);
  list?.addEventListener("change", update);
  onBeforeUnmount(() => list?.removeEventListener("change", update));
  return matches;
}
