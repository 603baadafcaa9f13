import { defineStore } from "pinia";
import { ref } from "vue";
import { api } from "@/api/client";
import type { App } from "@/api/types";

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

  return { items, loading, error, load, create, rename, update, remove };
});
