/**
 * Errors of the parts of a value (a sub-form cell: `lines[2].qty`), handed from the form
 * that shows field errors to the editors of composite values without a prop on every
 * editor. Keys are the API's detail paths.
 */
import type { ComputedRef, InjectionKey } from "vue";

export const FIELD_ERRORS: InjectionKey<ComputedRef<Record<string, string>>> = Symbol("qiao.fieldErrors");
