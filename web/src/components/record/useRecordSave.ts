import { ref } from "vue";
import { useI18n } from "vue-i18n";
import { ElMessage } from "element-plus";
import { ApiError } from "@/api/client";
import type { Form, RecordItem } from "@/api/types";
import { changedData, createData, liveFields, requiredErrors, useRecordStore } from "@/stores/record";

export type SaveResult =
  | { kind: "saved"; record: RecordItem }
  | { kind: "unchanged" }
  | { kind: "invalid" }
  | { kind: "conflict" }
  | { kind: "failed" };

/**
 * Create or update a record from a form's values: required fields checked first, then
 * the server's field errors mapped back to the fields, a stale version reported apart.
 */
export function useRecordSave() {
  const { t } = useI18n();
  const store = useRecordStore();
  const errors = ref<Record<string, string>>({});
  const saving = ref(false);

  function fieldErrors(form: Form, e: ApiError): Record<string, string> {
    const keys = new Set(form.fields.map((f) => f.key));
    const mapped: Record<string, string> = {};
    for (const d of e.details) {
      const path = d.field.replace(/^data\./, "");
      // a part of a value (a sub-form cell, lines[2].qty): kept by its path for the
      // field's editor, and the field itself shows the first such message
      const key = path.split(/[.[]/)[0];
      if (path !== key && keys.has(key)) mapped[path] = d.message;
      if (keys.has(key) && !mapped[key]) mapped[key] = d.message;
    }
    return mapped;
  }

  async function save(form: Form, record: RecordItem | null, data: Record<string, unknown>): Promise<SaveResult> {
    const fields = liveFields(form);
    errors.value = requiredErrors(fields, data, (f) => t("record.required", { field: f.label }));
    if (Object.keys(errors.value).length) {
      ElMessage.warning(t("record.fixErrors", { n: Object.keys(errors.value).length }));
      return { kind: "invalid" };
    }
    saving.value = true;
    try {
      if (record) {
        const changed = changedData(fields, record.data, data);
        if (!Object.keys(changed).length) return { kind: "unchanged" };
        return { kind: "saved", record: await store.update(form.id, record.id, changed, record.version) };
      }
      return { kind: "saved", record: await store.create(form.id, createData(fields, data)) };
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && e.code === "version_conflict") {
        return { kind: "conflict" };
      }
      if (e instanceof ApiError) {
        errors.value = fieldErrors(form, e);
        const n = Object.keys(errors.value).length;
        if (n) ElMessage.warning(t("record.fixErrors", { n }));
        else ElMessage.error(t("record.saveFailed", { message: e.message }));
        return n ? { kind: "invalid" } : { kind: "failed" };
      }
      ElMessage.error(t("record.saveFailed", { message: (e as Error).message }));
      return { kind: "failed" };
    } finally {
      saving.value = false;
    }
  }

  return { errors, saving, save };
}
