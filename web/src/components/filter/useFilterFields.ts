import { computed } from "vue";
import type { Field } from "@/api/types";
import { useFormsStore } from "@/stores/forms";
import { arityFor } from "@/components/views/fields";
import { type Condition, emptyValue } from "./filterModel";

/**
 * The fields a filter can use and how a condition follows them: a new field keeps the
 * operator when it has it (else takes its first) and an operator of another arity
 * resets the value.
 */
export function useFilterFields(fields: () => Field[]) {
  const forms = useFormsStore();
  const filterable = computed(() => fields().filter((f) => f.operators?.length));
  const fieldOf = (key: string) => fields().find((f) => f.key === key);
  const arityOf = (key: string, op: string) => arityFor(forms.fieldTypes, fieldOf(key), op);

  function setField(c: Condition, key: string): void {
    c.field = key;
    const ops = fieldOf(key)?.operators ?? [];
    if (!ops.includes(c.op)) c.op = ops[0] ?? "";
    c.value = emptyValue(arityOf(key, c.op));
  }

  function setOp(c: Condition, op: string): void {
    const before = c.op ? arityOf(c.field, c.op) : null;
    c.op = op;
    const after = arityOf(c.field, op);
    if (before !== after) c.value = emptyValue(after);
  }

  return { filterable, fieldOf, arityOf, setField, setOp };
}
