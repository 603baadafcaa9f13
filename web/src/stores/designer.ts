import { defineStore } from "pinia";
import { computed, ref } from "vue";
import type { ErrorDetail } from "@/api/client";
import type { FieldDefinition, FieldTypeInfo, Form, LayoutRow } from "@/api/types";

/**
 * The form designer's state: the fields being designed, their layout in rows (1–4 fields
 * per row with spans out of 24; section titles, dividers and texts take a row of their
 * own) and the form-level settings, with snapshot undo/redo. Publishing turns it into
 * the payload of POST /forms/{id}/publish.
 */
export const GRID = 24;
export const MAX_PER_ROW = 4;
export const SPANS = [6, 8, 12, 16, 18, 24] as const;
const HISTORY_LIMIT = 200;
/** colours offered for (and given to new) select options */
export const CHOICE_COLORS = ["#2f6bff", "#00b42a", "#ff7d00", "#f53f3f", "#722ed1", "#14c9c9", "#f7ba1e", "#eb2f96", "#86909c", "#165dff"];
const DRAFT_VERSION = 1;

export interface FieldDraft extends FieldDefinition {
  /** the client's name for the field: stable across edits, used by the layout */
  ref: string;
  /** the published field, when there is one */
  id?: number;
  /** the published type (type changes of published fields are previewed) */
  originalType?: string;
  accept_loss?: boolean;
  /** the key was typed by the admin: stop suggesting it from the label */
  keyEdited?: boolean;
}

export type LayoutKind = "section" | "divider" | "text";

export type DesignItem =
  | { uid: string; kind: "field"; ref: string; span: number }
  | { uid: string; kind: "section"; title: string; description: string; sid?: string; visibleWhen?: string | null }
  | { uid: string; kind: "divider" }
  | { uid: string; kind: "text"; content: string };

/** A form-level validation rule (form.settings.rules): `expression` must be TRUE for a record to save. */
export interface FormRule {
  id: string;
  expression: string;
  message: string;
  /** keys of the fields the message shows on */
  fields: string[];
  enabled: boolean;
}

export interface Row {
  uid: string;
  items: DesignItem[];
}

export interface DesignerState {
  version: number;
  name: string;
  description: string;
  titleField: string | null;
  fields: FieldDraft[];
  layout: Row[];
  seq: number;
  /** form-level validation rules */
  rules?: FormRule[];
}

/** Where something lands: a new row at `row`, or inside row `row` at `index`. */
export type DropTarget = { newRow: number } | { row: number; index: number };

export interface PublishField extends FieldDefinition {
  id?: number;
  ref: string;
  accept_loss?: boolean;
}

export type PublishItem =
  | { kind: "field"; ref: string; span: number }
  | { kind: "section"; title: string; description: string; id?: string; visible_when?: string }
  | { kind: "divider" }
  | { kind: "text"; content: string };

export interface PublishPayload {
  fields: PublishField[];
  layout: { items: PublishItem[] }[];
  title_field?: string | null;
  rules?: FormRule[];
}

function emptyState(): DesignerState {
  return { version: DRAFT_VERSION, name: "", description: "", titleField: null, fields: [], layout: [], seq: 0, rules: [] };
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** A field key from a label: ASCII words as snake_case, else `field_N`. */
export function suggestKey(label: string, taken: Set<string>): string {
  const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 50);
  let base = slug && /^[a-z]/.test(slug) ? slug : "field";
  if (base === "field") {
    let n = 1;
    while (taken.has(`field_${n}`)) n++;
    return `field_${n}`;
  }
  if (!taken.has(base)) return base;
  let n = 2;
  while (taken.has(`${base}_${n}`)) n++;
  base = `${base}_${n}`;
  return base;
}

/** Even spans for n fields in a row. */
export function evenSpan(n: number): number {
  return n <= 1 ? GRID : Math.floor(GRID / Math.min(n, MAX_PER_ROW));
}

function fieldCount(row: Row): number {
  return row.items.filter((i) => i.kind === "field").length;
}

export const useDesignerStore = defineStore("designer", () => {
  const state = ref<DesignerState>(emptyState());
  const past = ref<string[]>([]);
  const future = ref<string[]>([]);
  const saved = ref("");
  const lastMerge = ref<string | null>(null);
  /** the selected canvas item (uid), or null for the form settings */
  const selected = ref<string | null>(null);
  const formId = ref<number | null>(null);
  const fieldTypes = ref<FieldTypeInfo[]>([]);
  /** errors from the last publish: by field ref then property ("label", "key", "settings"…), and the form's */
  const fieldErrors = ref<Record<string, Record<string, string>>>({});
  const formErrors = ref<Record<string, string>>({});
  /** the published form had rules: publishing sends the list even when it is now empty (to remove them) */
  const hadRules = ref(false);

  const snapshot = () => JSON.stringify(state.value);
  const canUndo = computed(() => past.value.length > 0);
  const canRedo = computed(() => future.value.length > 0);
  const dirty = computed(() => snapshot() !== saved.value);

  const items = computed(() => state.value.layout.flatMap((r) => r.items));
  const selectedItem = computed(() => items.value.find((i) => i.uid === selected.value) ?? null);
  const selectedField = computed(() => {
    const item = selectedItem.value;
    return item?.kind === "field" ? fieldByRef(item.ref) ?? null : null;
  });

  function fieldByRef(ref: string): FieldDraft | undefined {
    return state.value.fields.find((f) => f.ref === ref);
  }

  function nextUid(prefix: string): string {
    state.value.seq += 1;
    return `${prefix}${state.value.seq}`;
  }

  // ----- history ----------------------------------------------------------------------
  /** Apply a change as one undo step; changes with the same merge key in a row (typing) make one. */
  function commit(change: () => void, merge?: string): void {
    const before = snapshot();
    change();
    if (snapshot() === before) return;
    if (!(merge && merge === lastMerge.value)) {
      past.value.push(before);
      if (past.value.length > HISTORY_LIMIT) past.value.shift();
    }
    lastMerge.value = merge ?? null;
    future.value = [];
  }

  function restore(text: string): void {
    state.value = JSON.parse(text) as DesignerState;
    lastMerge.value = null;
    if (selected.value && !items.value.some((i) => i.uid === selected.value)) selected.value = null;
  }

  function undo(): void {
    const prev = past.value.pop();
    if (prev === undefined) return;
    future.value.push(snapshot());
    restore(prev);
  }

  function redo(): void {
    const next = future.value.pop();
    if (next === undefined) return;
    past.value.push(snapshot());
    restore(next);
  }

  // ----- loading ----------------------------------------------------------------------
  function setFieldTypes(types: FieldTypeInfo[]): void {
    fieldTypes.value = types;
  }

  /** Start from a published form, or from a saved draft of it. */
  function load(form: Form, draft?: unknown): void {
    formId.value = form.id;
    const published = fromForm(form);
    let next = published;
    if (isDraft(draft)) next = { ...emptyState(), ...clone(draft) };
    state.value = next;
    saved.value = JSON.stringify(next);
    past.value = [];
    future.value = [];
    lastMerge.value = null;
    selected.value = null;
    fieldErrors.value = {};
    formErrors.value = {};
    hadRules.value = Array.isArray(form.settings.rules) && form.settings.rules.length > 0;
  }

  /** After a draft is saved or the form published: the current state is the baseline. */
  function markSaved(): void {
    saved.value = snapshot();
  }

  function isDraft(d: unknown): d is DesignerState {
    return (
      typeof d === "object" && d !== null && Array.isArray((d as DesignerState).fields) &&
      Array.isArray((d as DesignerState).layout) && (d as DesignerState).version === DRAFT_VERSION
    );
  }

  function fromForm(form: Form): DesignerState {
    const s = emptyState();
    s.name = form.name;
    s.description = form.description ?? "";
    s.titleField = (form.settings.title_field as string | undefined) ?? null;
    s.rules = Array.isArray(form.settings.rules) ? clone(form.settings.rules as FormRule[]) : [];
    const live = form.fields.filter((f) => !f.deleted_at);
    s.fields = live.map((f) => ({
      ref: `f${f.id}`, id: f.id, key: f.key, label: f.label, type: f.type, required: f.required,
      unique: f.unique, indexed: f.indexed, settings: clone(f.settings ?? {}), originalType: f.type, keyEdited: true,
    }));
    const placed = new Set<number>();
    const uid = () => `i${++s.seq}`;
    for (const row of (form.settings.layout ?? []) as LayoutRow[]) {
      const rowItems: DesignItem[] = [];
      for (const item of row.items ?? []) {
        if (item.kind === "field") {
          const id = item.field_id;
          if (id == null || placed.has(id) || !live.some((f) => f.id === id)) continue;
          placed.add(id);
          rowItems.push({ uid: uid(), kind: "field", ref: `f${id}`, span: item.span ?? GRID });
        } else if (item.kind === "section") {
          const sec = item as { id?: string; visible_when?: string | null };
          rowItems.push({ uid: uid(), kind: "section", title: item.title ?? "", description: item.description ?? "", sid: sec.id, visibleWhen: sec.visible_when ?? null });
        } else if (item.kind === "divider") {
          rowItems.push({ uid: uid(), kind: "divider" });
        } else if (item.kind === "text") {
          rowItems.push({ uid: uid(), kind: "text", content: item.content ?? "" });
        }
      }
      if (rowItems.length) s.layout.push({ uid: `r${++s.seq}`, items: rowItems });
    }
    for (const f of live) {
      if (!placed.has(f.id)) s.layout.push({ uid: `r${++s.seq}`, items: [{ uid: uid(), kind: "field", ref: `f${f.id}`, span: GRID }] });
    }
    return s;
  }

  // ----- layout operations ------------------------------------------------------------
  function locate(uid: string): { row: number; index: number } | null {
    for (let r = 0; r < state.value.layout.length; r++) {
      const index = state.value.layout[r].items.findIndex((i) => i.uid === uid);
      if (index >= 0) return { row: r, index };
    }
    return null;
  }

  function rebalance(row: Row): void {
    const fields = row.items.filter((i) => i.kind === "field") as Extract<DesignItem, { kind: "field" }>[];
    const span = evenSpan(fields.length);
    for (const f of fields) f.span = span;
  }

  /** Whether an item can join row `row` (field rows only, at most 4 fields). */
  function canJoin(row: number, item: Pick<DesignItem, "kind">, moving?: string): boolean {
    const r = state.value.layout[row];
    if (!r || item.kind !== "field") return false;
    if (r.items.some((i) => i.kind !== "field")) return false;
    const count = r.items.filter((i) => i.uid !== moving).length;
    return count < MAX_PER_ROW;
  }

  /** Put an item where the target says (a row of its own when it cannot join the row). */
  function place(item: DesignItem, target: DropTarget): void {
    const layout = state.value.layout;
    if ("row" in target && canJoin(target.row, item)) {
      const row = layout[target.row];
      row.items.splice(Math.max(0, Math.min(target.index, row.items.length)), 0, item);
      rebalance(row);
      return;
    }
    const at = "newRow" in target ? target.newRow : target.row + 1;
    if (item.kind === "field") item.span = GRID;
    layout.splice(Math.max(0, Math.min(at, layout.length)), 0, { uid: nextUid("r"), items: [item] });
  }

  /** Take an item out of its row (dropping the row when it becomes empty). */
  function take(uid: string): { item: DesignItem; row: number; index: number; rowRemoved: boolean } | null {
    const at = locate(uid);
    if (!at) return null;
    const row = state.value.layout[at.row];
    const [item] = row.items.splice(at.index, 1);
    const rowRemoved = row.items.length === 0;
    if (rowRemoved) state.value.layout.splice(at.row, 1);
    else rebalance(row);
    return { item, ...at, rowRemoved };
  }

  function takenKeys(except?: string): Set<string> {
    return new Set(state.value.fields.filter((f) => f.ref !== except).map((f) => f.key));
  }

  /** Add a new field of a type; returns the uid of its canvas item (and selects it). */
  function addField(type: string, target?: DropTarget, label?: string): string {
    let uid = "";
    commit(() => {
      const ref = nextUid("n");
      const name = label ?? defaultLabel(type);
      const field: FieldDraft = {
        ref, key: suggestKey(name, takenKeys()), label: name, type, required: false, unique: false,
        indexed: false, settings: defaultSettings(type),
      };
      state.value.fields.push(field);
      uid = nextUid("i");
      place({ uid, kind: "field", ref, span: GRID }, target ?? { newRow: state.value.layout.length });
    });
    selected.value = uid;
    return uid;
  }

  /** The default label of a new field, set by the view (translated type name). */
  let labelFor: (type: string) => string = (type) => type;
  function setLabeler(fn: (type: string) => string): void {
    labelFor = fn;
  }
  function defaultLabel(type: string): string {
    const base = labelFor(type);
    const labels = new Set(state.value.fields.map((f) => f.label));
    if (!labels.has(base)) return base;
    let n = 2;
    while (labels.has(`${base}${n}`)) n++;
    return `${base}${n}`;
  }

  function defaultSettings(type: string): Record<string, any> {
    if (type === "select" || type === "multiselect") {
      return { choices: [1, 2, 3].map((n) => ({ id: "", label: `${labelFor("option")}${n}`, color: CHOICE_COLORS[n - 1] })) };
    }
    if (type === "autonumber") return { pattern: "{00000}" };
    if (type === "relation") return { target_form_id: null, multiple: false, on_delete: "restrict", display_field: null };
    return {};
  }

  function addLayoutItem(kind: LayoutKind, target?: DropTarget, text?: string): string {
    let uid = "";
    commit(() => {
      uid = nextUid("i");
      const item: DesignItem =
        kind === "section" ? { uid, kind, title: text ?? labelFor("section"), description: "" }
          : kind === "text" ? { uid, kind, content: text ?? labelFor("text") }
            : { uid, kind: "divider" };
      place(item, target ?? { newRow: state.value.layout.length });
    });
    selected.value = uid;
    return uid;
  }

  /** Move an item to a target given in the current layout's coordinates. */
  function moveItem(uid: string, target: DropTarget): void {
    const at = locate(uid);
    if (!at) return;
    // dropping an item next to itself changes nothing
    if ("row" in target && target.row === at.row && (target.index === at.index || target.index === at.index + 1)) return;
    if ("newRow" in target && state.value.layout[at.row].items.length === 1 && (target.newRow === at.row || target.newRow === at.row + 1)) return;
    commit(() => {
      const taken = take(uid)!;
      let t: DropTarget = target;
      if ("row" in t) {
        if (taken.rowRemoved && t.row > taken.row) t = { row: t.row - 1, index: t.index };
        else if (!taken.rowRemoved && t.row === taken.row && t.index > taken.index) t = { row: t.row, index: t.index - 1 };
      } else if (taken.rowRemoved && t.newRow > taken.row) {
        t = { newRow: t.newRow - 1 };
      }
      place(taken.item, t);
    });
  }

  function removeItem(uid: string): void {
    commit(() => {
      const taken = take(uid);
      if (taken?.item.kind === "field") {
        const ref = taken.item.ref;
        const field = fieldByRef(ref);
        if (state.value.titleField && field && state.value.titleField === field.key) state.value.titleField = null;
        state.value.fields = state.value.fields.filter((f) => f.ref !== ref);
      }
    });
    if (selected.value === uid) selected.value = null;
  }

  function duplicateItem(uid: string): string | null {
    const at = locate(uid);
    if (!at) return null;
    const item = state.value.layout[at.row].items[at.index];
    let newUid = "";
    commit(() => {
      newUid = nextUid("i");
      if (item.kind === "field") {
        const source = fieldByRef(item.ref)!;
        const ref = nextUid("n");
        const label = `${source.label}${labelFor("copySuffix")}`;
        const settings = clone(source.settings);
        if (Array.isArray(settings.choices)) settings.choices = settings.choices.map((c: any) => ({ ...c, id: "" }));
        state.value.fields.push({
          ref, key: suggestKey(source.key, takenKeys()), label, type: source.type, required: source.required,
          unique: source.unique, indexed: source.indexed, settings, keyEdited: false,
        });
        place({ uid: newUid, kind: "field", ref, span: GRID }, canJoin(at.row, item) ? { row: at.row, index: at.index + 1 } : { newRow: at.row + 1 });
      } else {
        place({ ...clone(item), uid: newUid }, { newRow: at.row + 1 });
      }
    });
    selected.value = newUid;
    return newUid;
  }

  /** Set a field's width; when the row gets too wide the others share what is left. */
  function setSpan(uid: string, span: number): void {
    const at = locate(uid);
    if (!at) return;
    commit(() => {
      const row = state.value.layout[at.row];
      const item = row.items[at.index];
      if (item.kind !== "field") return;
      item.span = Math.max(1, Math.min(GRID, Math.round(span)));
      const others = row.items.filter((i) => i.uid !== uid && i.kind === "field") as Extract<DesignItem, { kind: "field" }>[];
      const used = others.reduce((s, i) => s + i.span, 0);
      if (used + item.span <= GRID) return;
      const each = Math.floor((GRID - item.span) / Math.max(1, others.length));
      if (each >= 1) {
        for (const o of others) o.span = each;
        return;
      }
      // no room at all: the others move to a row of their own below
      row.items = [item];
      state.value.layout.splice(at.row + 1, 0, { uid: nextUid("r"), items: others });
      rebalance(state.value.layout[at.row + 1]);
    });
  }

  function updateField(ref: string, patch: Partial<FieldDraft>, merge?: string): void {
    commit(() => {
      const field = fieldByRef(ref);
      if (!field) return;
      const oldKey = field.key;
      Object.assign(field, clone(patch));
      if (patch.label !== undefined && !field.keyEdited && patch.key === undefined && field.id === undefined) {
        field.key = suggestKey(patch.label, takenKeys(ref));
      }
      if (state.value.titleField && state.value.titleField === oldKey && field.key !== oldKey) state.value.titleField = field.key;
    }, merge);
    if (fieldErrors.value[ref]) {
      const errs = { ...fieldErrors.value[ref] };
      for (const k of Object.keys(patch)) delete errs[k];
      fieldErrors.value = { ...fieldErrors.value, [ref]: errs };
    }
  }

  function updateSetting(ref: string, key: string, value: unknown, merge?: string): void {
    commit(() => {
      const field = fieldByRef(ref);
      if (!field) return;
      if (value === undefined) delete field.settings[key];
      else field.settings[key] = clone(value);
    }, merge);
  }

  function updateItem(uid: string, patch: Record<string, unknown>, merge?: string): void {
    commit(() => {
      const at = locate(uid);
      if (!at) return;
      Object.assign(state.value.layout[at.row].items[at.index], patch);
    }, merge);
  }

  function updateForm(patch: Partial<Pick<DesignerState, "name" | "description" | "titleField" | "rules">>, merge?: string): void {
    commit(() => Object.assign(state.value, patch), merge);
  }

  // ----- publishing -------------------------------------------------------------------
  /** Fields in layout order (top to bottom, left to right). */
  const orderedFields = computed(() => {
    const refs = items.value.flatMap((i) => (i.kind === "field" ? [i.ref] : []));
    const ordered = refs.map((r) => fieldByRef(r)).filter((f): f is FieldDraft => !!f);
    for (const f of state.value.fields) if (!refs.includes(f.ref)) ordered.push(f);
    return ordered;
  });

  function allowedSettings(type: string): Set<string> | null {
    const info = fieldTypes.value.find((t) => t.type === type);
    const props = info?.settings_schema?.properties;
    return props ? new Set(Object.keys(props)) : null;
  }

  function cleanSettings(field: FieldDraft): Record<string, any> {
    const allowed = allowedSettings(field.type);
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(field.settings)) {
      if (allowed && !allowed.has(k)) continue;
      if (v === undefined) continue;
      if (k === "choices" && Array.isArray(v)) {
        out.choices = v.map((c: any) => {
          const choice: Record<string, unknown> = { label: String(c.label ?? "").trim(), color: c.color ?? "" };
          if (c.id) choice.id = c.id;
          if (c.archived) choice.archived = true;
          if (Array.isArray(c.parents) && c.parents.length) choice.parents = c.parents;
          return choice;
        });
        continue;
      }
      out[k] = v;
    }
    return out;
  }

  function publishPayload(): PublishPayload {
    const fields: PublishField[] = orderedFields.value.map((f) => {
      const out: PublishField = {
        ref: f.ref, key: f.key.trim(), label: f.label.trim(), type: f.type, required: f.required,
        unique: f.unique, indexed: f.indexed, settings: cleanSettings(f),
      };
      if (f.id !== undefined) out.id = f.id;
      if (f.accept_loss && f.id !== undefined && f.type !== f.originalType) out.accept_loss = true;
      return out;
    });
    const layout = state.value.layout
      .map((row) => ({
        items: row.items.map((i): PublishItem => {
          if (i.kind === "field") return { kind: "field", ref: i.ref, span: i.span };
          if (i.kind === "section") {
            const sec: PublishItem = { kind: "section", title: i.title, description: i.description };
            // the condition (and the id the live form reports visibility under) only when there is one
            if (i.visibleWhen) Object.assign(sec, { id: i.sid ?? i.uid, visible_when: i.visibleWhen });
            return sec;
          }
          if (i.kind === "text") return { kind: "text", content: i.content };
          return { kind: "divider" };
        }),
      }))
      .filter((r) => r.items.length);
    const payload: PublishPayload = { fields, layout };
    const titleField = state.value.titleField;
    if (titleField && fields.some((f) => f.key === titleField)) payload.title_field = titleField;
    const rules = state.value.rules ?? [];
    if (rules.length || hadRules.value) payload.rules = clone(rules);
    return payload;
  }

  /** The designer state to keep as a draft. */
  function draftPayload(): DesignerState {
    return clone(state.value);
  }

  /**
   * Spread the details of a failed publish over the fields they name
   * (`fields[3].label`, `fields[1].settings.choices`, `layout[0].items[1].ref`…);
   * returns the uid of the first canvas item with an error.
   */
  function applyErrors(details: ErrorDetail[], payload: PublishPayload): string | null {
    const byField: Record<string, Record<string, string>> = {};
    const form: Record<string, string> = {};
    let first: string | null = null;
    for (const d of details) {
      let m = /^fields\[(\d+)\]\.?([A-Za-z_]+)?(.*)$/.exec(d.field);
      if (m) {
        const ref = payload.fields[Number(m[1])]?.ref;
        if (ref) {
          const prop = m[2] === "settings" && m[3] ? `settings${m[3]}` : m[2] || "label";
          (byField[ref] ??= {})[prop] = d.message;
          const item = items.value.find((i) => i.kind === "field" && i.ref === ref);
          if (item && !first) first = item.uid;
          continue;
        }
      }
      m = /^layout\[(\d+)\]\.items(?:\[(\d+)\])?/.exec(d.field);
      if (m) {
        const row = state.value.layout[Number(m[1])];
        const item = row?.items[Number(m[2] ?? 0)];
        if (item?.kind === "field") {
          (byField[item.ref] ??= {}).layout = d.message;
          if (!first) first = item.uid;
          continue;
        }
      }
      form[d.field || "form"] = d.message;
    }
    fieldErrors.value = byField;
    formErrors.value = form;
    if (first) selected.value = first;
    return first;
  }

  function clearErrors(): void {
    fieldErrors.value = {};
    formErrors.value = {};
  }

  return {
    state, selected, formId, fieldTypes, fieldErrors, formErrors, canUndo, canRedo, dirty, items,
    selectedItem, selectedField, orderedFields,
    fieldByRef, locate, canJoin, commit, undo, redo, setFieldTypes, setLabeler, load, markSaved, isDraft,
    addField, addLayoutItem, moveItem, removeItem, duplicateItem, setSpan, updateField, updateSetting,
    updateItem, updateForm, publishPayload, draftPayload, applyErrors, clearErrors, allowedSettings, cleanSettings,
  };
});
