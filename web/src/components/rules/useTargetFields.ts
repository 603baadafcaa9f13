import { ref, watch, type Ref } from "vue";
import type { Field } from "@/api/types";
import { useFormsStore } from "@/stores/forms";

/** The live fields of a relation's target form, reloaded when the target changes. */
export function useTargetFields(target: () => number | null | undefined): Ref<Field[]> {
  const forms = useFormsStore();
  const fields = ref<Field[]>([]);
  watch(
    target,
    async (id) => {
      fields.value = [];
      if (!id) return;
      const loaded = (await forms.load(Number(id)).catch(() => null))?.fields.filter((f) => !f.deleted_at) ?? [];
      if (Number(target()) === Number(id)) fields.value = loaded;
    },
    { immediate: true },
  );
  return fields;
}
