import { defineStore } from "pinia";
import { ref } from "vue";
import { api } from "@/api/client";
import type { View, ViewConfig, ViewKind } from "@/api/types";
import { useAuthStore } from "@/stores/auth";

/** The config keys each view kind accepts (the API forbids others; src/qiao/views/kinds). */
export const KIND_KEYS: Record<ViewKind, string[]> = {
  table: ["columns", "row_height", "sort", "filter"],
  kanban: ["group_field", "card_fields", "sort", "filter"],
  gallery: ["card_fields", "cover", "sort", "filter"],
  calendar: ["date_field", "title_field", "filter"],
};

export const VIEW_KINDS: ViewKind[] = ["table", "kanban", "calendar", "gallery"];

/** The part of a config a kind stores: known keys, no null/undefined values. */
export function configFor(kind: ViewKind, config: ViewConfig): ViewConfig {
  const out: ViewConfig = {};
  for (const key of KIND_KEYS[kind] ?? []) {
    const value = config[key];
    if (value !== undefined && value !== null && value !== "") out[key] = value;
  }
  return out;
}

export const SAVE_DELAY = 600;

/**
 * Saved views per form: shared ones (admins change them) and the user's own. Config
 * changes are applied at once locally and saved with a debounced PATCH when the user may
 * change the view; otherwise they last for the session only.
 */
export const useViewsStore = defineStore("views", () => {
  const byForm = ref<Record<number, View[]>>({});
  const saving = ref(false);
  const saveError = ref("");
  const timers = new Map<number, ReturnType<typeof setTimeout>>();

  function canEdit(view: View): boolean {
    const user = useAuthStore().user;
    if (!user) return false;
    return view.owner_id == null ? user.is_admin : view.owner_id === user.id;
  }

  async function load(formId: number): Promise<View[]> {
    const page = await api<{ items: View[] }>("GET", `/forms/${formId}/views`);
    byForm.value[formId] = page.items;
    return page.items;
  }

  function replace(view: View): void {
    const list = byForm.value[view.form_id] ?? [];
    const i = list.findIndex((v) => v.id === view.id);
    if (i >= 0) list.splice(i, 1, view);
    else list.push(view);
    byForm.value[view.form_id] = [...list];
  }

  async function create(formId: number, body: { name: string; kind: ViewKind; config: ViewConfig; shared: boolean }): Promise<View> {
    const view = await api<View>("POST", `/forms/${formId}/views`, { ...body, config: configFor(body.kind, body.config) });
    replace(view);
    return view;
  }

  async function duplicate(view: View, name: string): Promise<View> {
    return create(view.form_id, { name, kind: view.kind, config: view.config, shared: false });
  }

  async function rename(view: View, name: string): Promise<View> {
    const saved = await api<View>("PATCH", `/views/${view.id}`, { name });
    replace(saved);
    return saved;
  }

  async function update(view: View, patch: { kind?: ViewKind; config?: ViewConfig; name?: string }): Promise<View> {
    const kind = patch.kind ?? view.kind;
    const body: Record<string, unknown> = { ...patch };
    if (patch.config) body.config = configFor(kind, patch.config);
    const saved = await api<View>("PATCH", `/views/${view.id}`, body);
    replace(saved);
    return saved;
  }

  async function remove(view: View): Promise<void> {
    await api("DELETE", `/views/${view.id}`);
    byForm.value[view.form_id] = (byForm.value[view.form_id] ?? []).filter((v) => v.id !== view.id);
  }

  async function reorder(formId: number, ids: number[]): Promise<void> {
    const before = byForm.value[formId] ?? [];
    byForm.value[formId] = ids.map((id) => before.find((v) => v.id === id)).filter((v): v is View => !!v);
    try {
      const page = await api<{ items: View[] }>("PUT", `/forms/${formId}/views/order`, { view_ids: ids });
      byForm.value[formId] = page.items;
    } catch (e) {
      byForm.value[formId] = before;
      throw e;
    }
  }

  /** Change a view's config now and save it after SAVE_DELAY ms of quiet (if allowed). */
  function setConfig(view: View, config: ViewConfig, onError?: (e: Error) => void): View {
    const next: View = { ...view, config: { ...view.config, ...config } };
    replace(next);
    if (!canEdit(view)) return next;
    const old = timers.get(view.id);
    if (old) clearTimeout(old);
    timers.set(
      view.id,
      setTimeout(async () => {
        timers.delete(view.id);
        const current = (byForm.value[view.form_id] ?? []).find((v) => v.id === view.id);
        if (!current) return;
        saving.value = true;
        saveError.value = "";
        try {
          await api<View>("PATCH", `/views/${view.id}`, { config: configFor(current.kind, current.config) });
        } catch (e) {
          saveError.value = (e as Error).message;
          onError?.(e as Error);
        } finally {
          saving.value = false;
        }
      }, SAVE_DELAY),
    );
    return next;
  }

  /** Save pending changes now (e.g. when leaving the page). */
  function flush(): void {
    for (const [id, timer] of timers) {
      clearTimeout(timer);
      timers.delete(id);
      const view = Object.values(byForm.value).flat().find((v) => v.id === id);
      if (view) void api("PATCH", `/views/${id}`, { config: configFor(view.kind, view.config) }).catch(() => undefined);
    }
  }

  return { byForm, saving, saveError, canEdit, load, create, duplicate, rename, update, remove, reorder, setConfig, flush, replace };
});
