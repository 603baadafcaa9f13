/** Shapes of the qiao API (see docs/api.md). */
export interface User {
  id: number;
  username: string;
  display_name: string;
  email: string | null;
  is_admin: boolean;
  is_active: boolean;
}

export interface FormSummary {
  id: number;
  name: string;
  description: string;
  position: number;
  field_count: number;
  group?: string | null;
}

export interface App {
  id: number;
  name: string;
  description: string;
  icon: string;
  color: string;
  position: number;
  forms?: FormSummary[];
}

export interface Choice {
  id: string;
  label: string;
  color: string;
  archived?: boolean;
}

/** What defines a field (what the designer edits and publishes); `settings` depend on the type. */
export interface FieldDefinition {
  key: string;
  label: string;
  type: string;
  required: boolean;
  unique: boolean;
  indexed: boolean;
  settings: Record<string, any>;
}

/** A field as the form JSON carries it. */
export interface Field extends FieldDefinition {
  id: number;
  position: number;
  operators: string[];
  sortable: boolean;
  deleted_at?: string;
}

/** One item of a layout row: a field (by id once published) or decoration. */
export type LayoutItem =
  | { kind: "field"; field_id?: number; ref?: string; span: number }
  | { kind: "section"; title: string; description?: string }
  | { kind: "divider" }
  | { kind: "text"; content: string };

export interface LayoutRow {
  items: LayoutItem[];
}

export interface Form {
  id: number;
  app_id: number;
  name: string;
  description: string;
  position: number;
  settings: {
    layout?: LayoutRow[];
    draft?: Record<string, any> & { saved_at?: string; saved_by?: number };
    title_field?: string;
    group?: string | null;
    [key: string]: unknown;
  };
  created_at: string;
  updated_at: string;
  fields: Field[];
}

export interface FieldTypeInfo {
  type: string;
  operators: { op: string; arity: string | null }[];
  sortable: boolean;
  can_be_unique: boolean;
  always_unique: boolean;
  writable: boolean;
  settings_schema: { properties?: Record<string, any>; required?: string[]; $defs?: Record<string, any> };
}

export interface RecordItem {
  id: number;
  version: number;
  created_at: string;
  updated_at: string;
  created_by: number | null;
  updated_by: number | null;
  owner: number | null;
  deleted_at?: string;
  data: Record<string, any>;
}

export interface RecordPage {
  items: RecordItem[];
  next_cursor?: string | null;
  total?: number;
}

/** The filter language of the API: a leaf or an and/or/not group. */
export type FilterNode =
  | { field: string; op: string; value?: unknown }
  | { and: FilterNode[] }
  | { or: FilterNode[] }
  | { not: FilterNode };

export type ViewKind = "table" | "kanban" | "calendar" | "gallery";

export interface ViewColumn {
  key: string;
  width?: number;
  hidden?: boolean;
  frozen?: boolean;
}

export interface ViewConfig {
  columns?: ViewColumn[];
  sort?: string;
  filter?: FilterNode | null;
  group_field?: string;
  date_field?: string;
  title_field?: string;
  card_fields?: string[];
  [key: string]: unknown;
}

export interface View {
  id: number;
  form_id: number;
  name: string;
  kind: ViewKind;
  config: ViewConfig;
  owner_id: number | null;
  position: number;
}

export interface Comment {
  id: number;
  form_id: number;
  record_id: number;
  author: { id: number; display_name: string };
  body: string;
  mentions: number[];
  created_at: string;
  updated_at: string;
}

export interface RelatedLink {
  form_id: number;
  form_name: string;
  app_id: number;
  field_id: number;
  field_key: string;
  field_label: string;
  multiple: boolean;
}
