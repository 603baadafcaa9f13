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
  /** the user administers the app (system admin or one of its app administrators) */
  can_manage?: boolean;
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
  /** what the current user may do (GET /forms/{id}); the API enforces it regardless */
  access?: FormAccess;
}

export type Operation = "view" | "create" | "edit" | "delete" | "import" | "export" | "manage";
export type FieldAccessLevel = "hidden" | "read" | "edit";

/** A user's access to one field: masked values read like "138****1234" unless unmasked. */
export interface FieldAccess {
  access: FieldAccessLevel;
  masked: boolean;
  unmask: boolean;
}

export interface FormAccess {
  full: boolean;
  operations: Operation[];
  fields: Record<string, FieldAccess>;
}

export type DataScope = "own" | "department" | "department_tree" | "all" | "custom";
export type MemberType = "user" | "department" | "role" | "all";

export interface GroupMember {
  type: MemberType;
  id: number;
  name?: string;
}

/** One field's rule in a permission group (as the group is edited). */
export interface FieldRule {
  access: FieldAccessLevel;
  mask: boolean;
  unmask: boolean;
}

/** A permission group (权限组) of a form. */
export interface PermissionGroup {
  id: number;
  form_id: number;
  name: string;
  description: string;
  operations: Operation[];
  scope: DataScope;
  scope_filter: FilterNode | null;
  fields: Record<string, FieldRule>;
  members: GroupMember[];
  position: number;
}

export interface Department {
  id: number;
  name: string;
  parent_id: number | null;
  path: string;
  member_count: number;
  total_member_count?: number;
  manager_ids: number[];
  children: Department[];
}

export interface Role {
  id: number;
  name: string;
  description: string;
  member_ids: number[];
  member_count: number;
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
