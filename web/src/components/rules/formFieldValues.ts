import type { InjectionKey } from "vue";

/**
 * Provided by an editor of a filter that runs while a form is filled in (a relation's
 * option filter): the filter builder's value inputs then also offer "a field of this form",
 * stored as "$field:<key>" and replaced by that field's current value when the filter runs.
 */
export interface FormFieldValues {
  label: () => string;
  fields: () => { key: string; label: string }[];
}

export const FORM_FIELD_VALUES: InjectionKey<FormFieldValues> = Symbol("qiao.formFieldValues");

export const FIELD_REF_PREFIX = "$field:";

export function isFieldRef(v: unknown): v is string {
  return typeof v === "string" && v.startsWith(FIELD_REF_PREFIX);
}

/** A relation's option filter as a record picker can use it: null while "$field:" values are left (outside a live form). */
export function usableFilter<T>(node: T | null | undefined): T | null {
  if (!node) return null;
  return JSON.stringify(node).includes(`"${FIELD_REF_PREFIX}`) ? null : node;
}
