import { defineStore } from "pinia";
import { ref } from "vue";
import { api } from "@/api/client";
import type { FieldTypeInfo, Form, User } from "@/api/types";

/**
 * Form metadata shared by the designer, the data views and the record pages: forms by
 * id, the field type catalogue of the registry and the user directory (for user fields,
 * mentions and "created by").
 */
export const useFormsStore = defineStore("forms", () => {
  const forms = ref<Record<number, Form>>({});
  const fieldTypes = ref<FieldTypeInfo[]>([]);
  const users = ref<User[]>([]);

  async function load(formId: number, force = false): Promise<Form> {
    if (!force && forms.value[formId]) return forms.value[formId];
    const form = await api<Form>("GET", `/forms/${formId}`);
    forms.value[formId] = form;
    return form;
  }

  function put(form: Form): void {
    forms.value[form.id] = form;
  }

  async function loadFieldTypes(): Promise<FieldTypeInfo[]> {
    if (!fieldTypes.value.length) {
      fieldTypes.value = (await api<{ items: FieldTypeInfo[] }>("GET", "/field-types")).items;
    }
    return fieldTypes.value;
  }

  async function loadUsers(force = false): Promise<User[]> {
    if (force || !users.value.length) {
      users.value = (await api<{ items: User[] }>("GET", "/users")).items;
    }
    return users.value;
  }

  function userName(id: number | null | undefined): string {
    if (id == null) return "";
    return users.value.find((u) => u.id === id)?.display_name ?? `#${id}`;
  }

  return { forms, fieldTypes, users, load, put, loadFieldTypes, loadUsers, userName };
});
