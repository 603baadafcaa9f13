import { defineStore } from "pinia";
import { ref } from "vue";
import { api } from "@/api/client";

/**
 * Titles of records by form, for showing relation values and pickers. Ids are fetched
 * in batches from /forms/{id}/records/titles and cached for the session.
 */
export const useTitlesStore = defineStore("titles", () => {
  const cache = ref<Record<number, Record<number, string>>>({});

  function title(formId: number, id: number): string {
    return cache.value[formId]?.[id] ?? `#${id}`;
  }

  async function ensure(formId: number, ids: number[]): Promise<void> {
    const known = cache.value[formId] ?? {};
    const missing = [...new Set(ids)].filter((id) => !(id in known));
    for (let i = 0; i < missing.length; i += 200) {
      const chunk = missing.slice(i, i + 200);
      const page = await api<{ items: { id: number; title: string }[] }>(
        "GET",
        `/forms/${formId}/records/titles?ids=${chunk.join(",")}`,
      );
      const next = { ...(cache.value[formId] ?? {}) };
      for (const id of chunk) next[id] = `#${id}`;
      for (const item of page.items) next[item.id] = item.title;
      cache.value = { ...cache.value, [formId]: next };
    }
  }

  function forget(formId: number, id?: number): void {
    if (id === undefined) delete cache.value[formId];
    else delete cache.value[formId]?.[id];
  }

  return { cache, title, ensure, forget };
});
