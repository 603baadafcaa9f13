import { ref, type Ref } from "vue";

/**
 * A list loaded from the API with loading and error state, where only the latest call
 * counts: an older, slower answer never overwrites a newer one.
 */
export function useLatestList<T>(fetch: () => Promise<T[]>): {
  items: Ref<T[]>;
  loading: Ref<boolean>;
  error: Ref<string>;
  load: () => Promise<void>;
} {
  const items = ref<T[]>([]) as Ref<T[]>;
  const loading = ref(false);
  const error = ref("");
  let seq = 0;

  async function load(): Promise<void> {
    const mine = ++seq;
    loading.value = true;
    error.value = "";
    try {
      const loaded = await fetch();
      if (mine === seq) items.value = loaded;
    } catch (e) {
      if (mine === seq) error.value = e instanceof Error ? e.message : String(e);
    } finally {
      if (mine === seq) loading.value = false;
    }
  }

  return { items, loading, error, load };
}
