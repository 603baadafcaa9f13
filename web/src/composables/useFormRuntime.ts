import { computed, getCurrentInstance, onBeforeUnmount, ref, watch, type ComputedRef, type Ref } from "vue";
import { api } from "@/api/client";
import type { Choice, Field, FilterNode, Form, LayoutItem, LayoutRow } from "@/api/types";
import { isEmpty, widgetFor } from "@/fields";
import { FIELD_REF_PREFIX, isFieldRef } from "@/components/rules/formFieldValues";
import { effectiveLayout } from "@/stores/record";

/**
 * The live record form (联动): while a record is filled in, the server evaluates the draft
 * (`POST /forms/{id}/records/evaluate`, debounced) and this composable applies the answer —
 * computed values of formula/lookup/rollup fields (and of sub-form row formulas), default
 * values of a new record, fills after a relation was chosen, which fields and sections show,
 * which are required, and rule errors under the fields they name. Locally, without the
 * server: cascading select options (depends_on/parents) and a relation's option filter with
 * "$field:<key>" values replaced by the draft's values.
 *
 * The component renders `form` (fields and layout adjusted) with `hiddenKeys` and `errors`;
 * saving with `form` checks the required fields the way the server will.
 */

export interface EvaluateOut {
  values?: Record<string, unknown>;
  defaults?: Record<string, unknown>;
  fills?: Record<string, unknown>;
  visible?: Record<string, boolean>;
  required?: Record<string, boolean>;
  errors?: { field: string; code: string; message: string }[];
}

export interface RuntimeOptions {
  /** the record being edited (null: a new record, which gets default values) */
  recordId?: () => number | null | undefined;
  /** evaluate only while this is true (e.g. while editing) */
  enabled?: () => boolean;
  /** debounce in ms (the contract says ~150) */
  delay?: number;
}

export interface FormRuntime {
  form: ComputedRef<Form | null>;
  hiddenKeys: ComputedRef<string[]>;
  /** rule errors by field, for the fields the user has changed (a blank new form shows none) */
  errors: ComputedRef<Record<string, string>>;
  /** rule errors not tied to a field */
  formErrors: Ref<string[]>;
  pending: Ref<boolean>;
  /** evaluate now (e.g. right after loading a record) */
  refresh: () => void;
}

const COMPUTED_SETTINGS = ["default_formula", "visible_when", "required_when", "rules", "fill"];

function isComputed(field: Pick<Field, "type">): boolean {
  return !!widgetFor(field.type).readonly;
}

function columnsOf(field: Field): Field[] | null {
  const cols = field.settings?.fields ?? field.settings?.columns;
  return field.type === "subform" && Array.isArray(cols) ? (cols as Field[]) : null;
}

/** Whether a form has anything for the server to evaluate live (else no request is made). */
export function needsEvaluation(form: Pick<Form, "fields" | "settings">): boolean {
  const rules = form.settings?.rules;
  if (Array.isArray(rules) && rules.some((r: { enabled?: boolean }) => r.enabled !== false)) return true;
  if ((form.settings?.layout ?? []).some((row) => row?.items?.some((i) => i.kind === "section" && (i as { visible_when?: string }).visible_when))) return true;
  return form.fields.some((f) => {
    if (f.deleted_at) return false;
    if (f.type === "formula" || f.type === "lookup" || f.type === "rollup") return true;
    if (COMPUTED_SETTINGS.some((k) => { const v = f.settings?.[k]; return Array.isArray(v) ? v.length > 0 : !!v; })) return true;
    return (columnsOf(f) ?? []).some((c) => isComputed(c) || COMPUTED_SETTINGS.some((k) => !!c.settings?.[k]));
  });
}

/** The inputs the user controls (computed values left out): what a new evaluation depends on. */
export function inputsOf(fields: Field[], data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (isComputed(f)) continue;
    const cols = columnsOf(f);
    const v = data[f.key];
    if (cols && Array.isArray(v)) {
      const computedCols = new Set(cols.filter(isComputed).map((c) => c.key));
      out[f.key] = v.map((row) => Object.fromEntries(Object.entries((row ?? {}) as Record<string, unknown>).filter(([k]) => !computedCols.has(k))));
    } else {
      // "", [] and null are all "empty": a blank form and a cleared field compare equal
      out[f.key] = isEmpty(v) ? null : v;
    }
  }
  return out;
}

/**
 * A draft with the server's answer applied: computed fields take the values (sub-form rows
 * merged column by column, so that a row typed into meanwhile keeps the user's input),
 * defaults fill fields the user has not touched, fills set their fields.
 */
export function mergeEvaluation(
  fields: Field[],
  draft: Record<string, unknown>,
  out: EvaluateOut,
  touched: Set<string>,
  applyFills: boolean,
): { data: Record<string, unknown>; changed: boolean } {
  const data = { ...draft };
  let changed = false;
  const set = (key: string, value: unknown) => {
    if (JSON.stringify(data[key] ?? null) === JSON.stringify(value ?? null)) return;
    data[key] = value;
    changed = true;
  };
  const byKey = new Map(fields.map((f) => [f.key, f]));
  for (const [key, value] of Object.entries(out.values ?? {})) {
    const f = byKey.get(key);
    if (!f) continue;
    const cols = columnsOf(f);
    if (cols) {
      const rows = Array.isArray(data[key]) ? (data[key] as Record<string, unknown>[]) : [];
      const answer = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
      // rows added or removed since the request: the next answer brings them
      if (rows.length !== answer.length) continue;
      const computedCols = cols.filter(isComputed).map((c) => c.key);
      const merged = rows.map((row, i) => {
        const next = { ...row };
        for (const c of computedCols) if (answer[i] && c in answer[i]) next[c] = answer[i][c];
        return next;
      });
      set(key, merged);
    } else if (isComputed(f)) {
      set(key, value);
    }
  }
  for (const [key, value] of Object.entries(out.defaults ?? {})) {
    const f = byKey.get(key);
    if (f && !isComputed(f) && !touched.has(key)) set(key, value);
  }
  if (applyFills) {
    for (const [key, value] of Object.entries(out.fills ?? {})) {
      const f = byKey.get(key);
      if (f && !isComputed(f)) set(key, value);
    }
  }
  return { data, changed };
}

/** A relation's option filter with "$field:<key>" values replaced by the draft's; conditions on an empty field are dropped. */
export function substituteFilter(node: FilterNode | null | undefined, data: Record<string, unknown>): FilterNode | null {
  if (!node) return null;
  if ("field" in node) {
    if (!isFieldRef(node.value)) return node;
    const v = data[String(node.value).slice(FIELD_REF_PREFIX.length)];
    return isEmpty(v) ? null : { ...node, value: v };
  }
  if ("not" in node) {
    const inner = substituteFilter(node.not, data);
    return inner ? { not: inner } : null;
  }
  const conj = "and" in node ? "and" : "or";
  const items = ((node as Record<string, FilterNode[]>)[conj] ?? []).map((n) => substituteFilter(n, data)).filter((n): n is FilterNode => !!n);
  if (!items.length) return null;
  return (conj === "and" ? { and: items } : { or: items }) as FilterNode;
}

/** The options of a cascading select given its parent's value (options without parents always show). */
export function cascadeChoices(choices: (Choice & { parents?: string[] })[], parentValue: unknown): (Choice & { parents?: string[] })[] {
  const parents = parentValue == null ? [] : Array.isArray(parentValue) ? parentValue.map(String) : [String(parentValue)];
  return choices.filter((c) => !c.parents?.length || c.parents.some((p) => parents.includes(p)));
}

/** Layout rows without hidden sections (a section hides the rows under it up to the next section). */
export function visibleLayout(rows: LayoutRow[], visible: Record<string, boolean>): LayoutRow[] {
  const out: LayoutRow[] = [];
  let hiding = false;
  for (const row of rows) {
    const section = row.items.find((i) => i.kind === "section") as (LayoutItem & { id?: string }) | undefined;
    if (section) hiding = !!section.id && visible[section.id] === false;
    if (!hiding) out.push(row);
  }
  return out;
}

export function useFormRuntime(form: Ref<Form | null>, draft: Ref<Record<string, unknown>>, options: RuntimeOptions = {}): FormRuntime {
  const delay = options.delay ?? 150;
  const visible = ref<Record<string, boolean>>({});
  const required = ref<Record<string, boolean>>({});
  const allErrors = ref<Record<string, string>>({});
  const formErrors = ref<string[]>([]);
  const pending = ref(false);
  const touched = ref(new Set<string>());
  let lastInputs: Record<string, unknown> | null = null;
  let lastSent = "";
  /** the answer to ``lastSent``: put back when an editor replaces the draft with its own
   * copy (e.g. sub-form rows without the computed cells) while the inputs stay the same */
  let lastAnswer: EvaluateOut | null = null;
  let changedKey: string | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let seq = 0;
  let formId: number | null = null;

  const fields = computed(() => (form.value?.fields ?? []).filter((f) => !f.deleted_at));
  const active = computed(() => !!form.value && (options.enabled?.() ?? true) && needsEvaluation(form.value));

  function reset(): void {
    visible.value = {};
    required.value = {};
    allErrors.value = {};
    formErrors.value = [];
    touched.value = new Set();
    lastInputs = null;
    lastSent = "";
    lastAnswer = null;
    changedKey = null;
  }

  function schedule(wait = delay): void {
    if (timer) clearTimeout(timer);
    pending.value = true;
    timer = setTimeout(() => void evaluate(), wait);
  }

  async function evaluate(): Promise<void> {
    timer = null;
    const f = form.value;
    if (!f || !active.value) {
      pending.value = false;
      return;
    }
    const mine = ++seq;
    const changed = changedKey;
    changedKey = null;
    const sent = { ...draft.value };
    const body: Record<string, unknown> = { data: inputsOf(fields.value, sent) };
    lastSent = JSON.stringify(body.data);
    const recordId = options.recordId?.();
    if (recordId != null) body.record_id = recordId;
    if (changed) body.changed = changed;
    let out: EvaluateOut;
    try {
      out = await api<EvaluateOut>("POST", `/forms/${f.id}/records/evaluate`, body);
    } catch {
      // the live form is a help: a failed evaluation leaves the form as it is (saving still checks)
      if (mine === seq) pending.value = false;
      return;
    }
    if (mine !== seq || form.value?.id !== f.id) return;
    pending.value = false;
    lastAnswer = out;
    visible.value = out.visible ?? {};
    required.value = out.required ?? {};
    const byField: Record<string, string> = {};
    const general: string[] = [];
    const keys = new Set(fields.value.map((x) => x.key));
    for (const e of out.errors ?? []) {
      const key = (e.field ?? "").replace(/^data\./, "").split(/[.[]/)[0];
      if (key && keys.has(key)) byField[key] ??= e.message;
      else general.push(e.message);
    }
    allErrors.value = byField;
    formErrors.value = general;
    // fills belong to the relation value they were asked for: not if it changed again since
    const applyFills = !!changed && JSON.stringify(sent[changed] ?? null) === JSON.stringify(draft.value[changed] ?? null);
    const merged = mergeEvaluation(fields.value, draft.value, out, touched.value, applyFills);
    if (merged.changed) draft.value = merged.data;
  }

  watch(
    [() => form.value?.id, active],
    ([id]) => {
      if (id !== formId) {
        formId = id ?? null;
        reset();
      }
      // what the draft holds when evaluation starts (a loaded record) is the baseline, not a change by the user
      if (active.value) {
        lastInputs = inputsOf(fields.value, draft.value);
        schedule(0);
      }
    },
    { immediate: true },
  );

  watch(
    draft,
    (data) => {
      const inputs = inputsOf(fields.value, data);
      if (!active.value) {
        lastInputs = inputs;
        return;
      }
      if (lastInputs) {
        for (const f of fields.value) {
          if (JSON.stringify(inputs[f.key] ?? null) === JSON.stringify(lastInputs[f.key] ?? null)) continue;
          if (!touched.value.has(f.key)) touched.value = new Set([...touched.value, f.key]);
          if (f.type === "relation" && Array.isArray(f.settings?.fill) && f.settings.fill.length) changedKey = f.key;
        }
      }
      lastInputs = inputs;
      // computed values put into the draft change no input: nothing new to ask — but if
      // the draft lost them (an editor wrote back its own copy), the last answer restores them
      if (JSON.stringify(inputs) === lastSent && !timer) {
        if (lastAnswer) {
          const restored = mergeEvaluation(fields.value, data, lastAnswer, touched.value, false);
          if (restored.changed) draft.value = restored.data;
        }
        return;
      }
      schedule();
    },
    { deep: true },
  );

  // cascading selects: a child whose value is no longer offered after its parent changed is cleared
  watch(
    () => fields.value.filter((f) => f.settings?.depends_on).map((f) => JSON.stringify(draft.value[f.settings.depends_on] ?? null)),
    (now, before) => {
      if (!before) return;
      let data: Record<string, unknown> | null = null;
      fields.value.filter((f) => f.settings?.depends_on).forEach((f, i) => {
        if (now[i] === before[i]) return;
        const allowed = new Set(cascadeChoices(f.settings.choices ?? [], draft.value[f.settings.depends_on]).map((c) => c.label));
        const v = draft.value[f.key];
        const kept = Array.isArray(v) ? v.filter((x) => allowed.has(String(x))) : v != null && !allowed.has(String(v)) ? null : v;
        if (JSON.stringify(kept) !== JSON.stringify(v)) (data ??= { ...draft.value })[f.key] = kept;
      });
      if (data) draft.value = data;
    },
  );

  if (getCurrentInstance()) onBeforeUnmount(() => timer && clearTimeout(timer));

  const errors = computed(() => Object.fromEntries(Object.entries(allErrors.value).filter(([k]) => touched.value.has(k))));

  const hiddenKeys = computed(() => {
    const hidden = new Set(Object.entries(visible.value).filter(([k, v]) => v === false && fields.value.some((f) => f.key === k)).map(([k]) => k));
    // the fields of a hidden section are hidden with it
    if (form.value) {
      const shownIds = new Set(visibleLayout(effectiveLayout(form.value), visible.value).flatMap((r) => r.items.map((i) => (i.kind === "field" ? i.field_id : null))));
      for (const f of fields.value) if (!shownIds.has(f.id)) hidden.add(f.key);
    }
    return [...hidden];
  });

  const shownForm = computed<Form | null>(() => {
    const f = form.value;
    if (!f) return null;
    const data = draft.value;
    const hidden = new Set(hiddenKeys.value);
    const adjusted = f.fields.map((field): Field => {
      const s = field.settings ?? {};
      let settings = s;
      if (s.depends_on && Array.isArray(s.choices)) settings = { ...settings, choices: cascadeChoices(s.choices, data[s.depends_on]) };
      if (field.type === "relation" && s.option_filter) settings = { ...settings, option_filter: substituteFilter(s.option_filter, data) };
      const req = hidden.has(field.key) ? false : field.required || required.value[field.key] === true;
      return settings === s && req === field.required ? field : { ...field, settings, required: req };
    });
    const layout = visibleLayout(effectiveLayout(f), visible.value);
    return { ...f, fields: adjusted, settings: { ...f.settings, layout } };
  });

  return { form: shownForm, hiddenKeys, errors, formErrors, pending, refresh: () => schedule(0) };
}
