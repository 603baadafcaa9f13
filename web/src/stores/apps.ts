import { defineStore } from "pinia";
import { ref } from "vue";
import { api } from "@/api/client";
import { useLatestList } from "@/composables/useLatestList";
import type { App } from "@/api/types";

/** An app in the trash (`GET /apps/trash`): restorable until `purge_at`. */
export interface DeletedApp extends App {
  deleted_at: string;
  purge_at: string;
  form_count: number;
}

/** Whole days left until `purgeAt` (0 on the last day or after). */
export function daysLeft(purgeAt: string, now: number = Date.now()): number {
  return Math.max(0, Math.ceil((new Date(purgeAt).getTime() - now) / 86_400_000));
}

export const useAppsStore = defineStore("apps", () => {
  const items = ref<App[]>([]);
  const loading = ref(false);
  const error = ref("");

  async function load(): Promise<void> {
    loading.value = true;
    error.value = "";
    try {
      items.value = (await api<{ items: App[] }>("GET", "/apps")).items;
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    } finally {
      loading.value = false;
    }
  }

  async function create(data: Pick<App, "name" | "description" | "color" | "icon">): Promise<App> {
    const app = await api<App>("POST", "/apps", data);
    items.value.push({ ...app, forms: [] });
    return app;
  }

  async function rename(id: number, name: string): Promise<void> {
    const app = await api<App>("PATCH", `/apps/${id}`, { name });
    items.value = items.value.map((a) => (a.id === id ? { ...app, forms: a.forms } : a));
  }

  async function update(id: number, data: Partial<Pick<App, "name" | "description" | "color" | "icon">>): Promise<void> {
    const app = await api<App>("PATCH", `/apps/${id}`, data);
    items.value = items.value.map((a) => (a.id === id ? { ...app, forms: a.forms } : a));
  }

  async function remove(id: number): Promise<void> {
    await api("DELETE", `/apps/${id}`);
    items.value = items.value.filter((a) => a.id !== id);
  }

  // ----- recently deleted ---------------------------------------------------------------
  const deleted = useLatestList(async () => (await api<{ items: DeletedApp[] }>("GET", "/apps/trash")).items);
  const { items: trash, loading: trashLoading, error: trashError, load: loadTrash } = deleted;

  /** Restore a deleted app (with the forms deleted together with it); the list reloads. */
  async function restore(id: number): Promise<App> {
    const app = await api<App>("POST", `/apps/${id}/restore`);
    trash.value = trash.value.filter((a) => a.id !== id);
    await load();
    return app;
  }

  return {
    items, loading, error, load, create, rename, update, remove,
    trash, trashLoading, trashError, loadTrash, restore,
  };
});
