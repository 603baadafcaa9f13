import type { Field, LayoutRow } from "@/api/types";
import type { FieldDraft, Row } from "@/stores/designer";

/** A field draft as the Field shape the editors and the renderer take (new fields get negative ids). */
export function draftToField(draft: FieldDraft, index: number): Field {
  return {
    id: draft.id ?? -(index + 1),
    key: draft.key || draft.ref,
    label: draft.label,
    type: draft.type,
    required: draft.required,
    unique: draft.unique,
    indexed: draft.indexed,
    settings: draft.settings,
    position: index,
    operators: [],
    sortable: false,
  };
}

/** The designer's rows as a layout naming fields by id (for FormLayout). */
export function draftLayout(rows: Row[], fields: FieldDraft[], asFields: Field[]): LayoutRow[] {
  const idOf = new Map(fields.map((f, i) => [f.ref, asFields[i].id]));
  return rows.map((row) => ({
    items: row.items.map((item) => {
      if (item.kind === "field") return { kind: "field" as const, field_id: idOf.get(item.ref), span: item.span };
      if (item.kind === "section") return { kind: "section" as const, title: item.title, description: item.description };
      if (item.kind === "text") return { kind: "text" as const, content: item.content };
      return { kind: "divider" as const };
    }),
  }));
}
