import { computed, reactive, watch, type ComputedRef } from "vue";
import { useFormsStore } from "@/stores/forms";
import type { ScopeField } from "./formulaText";

/**
 * The fields a formula may name: this form's fields, a sub-form's columns under it
 * (`{明细}.{数量}`) and a relation's target-form fields (`{客户}.{城市}`), loaded on demand.
 */

/** What a field needs to take part in a scope (a published Field or a designer draft). */
export interface FieldLike {
  key: string;
  label: string;
  type: string;
  settings?: Record<string, any>;
  deleted_at?: string;
}

/** Sub-form columns as the sub-form type keeps them in its settings. */
export function subformColumns(field: FieldLike): FieldLike[] | null {
  const s = field.settings ?? {};
  const cols = s.fields ?? s.columns;
  return field.type === "subform" && Array.isArray(cols) ? (cols as FieldLike[]) : null;
}

function plain(fields: FieldLike[]): ScopeField[] {
  return fields.filter((f) => !f.deleted_at && f.key).map((f) => ({ key: f.key, label: f.label, type: f.type }));
}

/** A scope from fields, with the related forms' fields already known (by form id). */
export function buildScope(fields: FieldLike[], related: Record<number, FieldLike[]> = {}): ScopeField[] {
  return fields
    .filter((f) => !f.deleted_at && f.key)
    .map((f) => {
      const out: ScopeField = { key: f.key, label: f.label, type: f.type };
      const cols = subformColumns(f);
      if (cols) out.children = plain(cols);
      if (f.type === "relation") {
        const target = Number(f.settings?.target_form_id) || null;
        out.targetFormId = target;
        if (target && related[target]) out.children = plain(related[target]);
      }
      return out;
    });
}

/** The scope of a form being designed or filled, loading related forms' fields as relations appear. */
export function useFormulaScope(fields: () => FieldLike[]): { scope: ComputedRef<ScopeField[]> } {
  const forms = useFormsStore();
  const related = reactive<Record<number, FieldLike[]>>({});
  const asked = new Set<number>();
  watch(
    () => fields().filter((f) => f.type === "relation").map((f) => Number(f.settings?.target_form_id) || 0),
    (targets) => {
      for (const id of targets) {
        if (!id || asked.has(id)) continue;
        asked.add(id);
        forms.load(id).then(
          (form) => (related[id] = form.fields.filter((f) => !f.deleted_at)),
          () => asked.delete(id),
        );
      }
    },
    { immediate: true },
  );
  return { scope: computed(() => buildScope(fields(), related)) };
}
