/** Exports (a streamed download) and export templates. */
import { api } from "@/api/client";
import type { FilterNode } from "@/api/types";

export type SubformMode = "sheets" | "rows" | "count";
export type ExportFormat = "xlsx" | "csv";

export interface ExportTemplate {
  id: number;
  form_id: number;
  name: string;
  fields: string[];
  options: { subforms?: SubformMode };
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

export interface TemplateInput {
  name: string;
  fields: string[];
  options: { subforms?: SubformMode };
}

export interface ExportQuery {
  format: ExportFormat;
  filter?: FilterNode | null;
  sort?: string;
  q?: string;
  fields?: string[];
  template?: number | null;
  subforms?: SubformMode | null;
}

/** The download URL: the browser streams the file from it (no body held in memory here). */
export function exportUrl(formId: number, query: ExportQuery): string {
  const params = new URLSearchParams({ format: query.format });
  if (query.filter) params.set("filter", JSON.stringify(query.filter));
  if (query.sort) params.set("sort", query.sort);
  if (query.q?.trim()) params.set("q", query.q.trim());
  if (query.template) params.set("template", String(query.template));
  else if (query.fields?.length) params.set("fields", query.fields.join(","));
  if (query.subforms) params.set("subforms", query.subforms);
  return `/api/v1/forms/${formId}/export?${params.toString()}`;
}

export async function listTemplates(formId: number): Promise<ExportTemplate[]> {
  return (await api<{ items: ExportTemplate[] }>("GET", `/forms/${formId}/export-templates`)).items;
}

export function createTemplate(formId: number, body: TemplateInput): Promise<ExportTemplate> {
  return api<ExportTemplate>("POST", `/forms/${formId}/export-templates`, body);
}

export function updateTemplate(id: number, body: Partial<TemplateInput>): Promise<ExportTemplate> {
  return api<ExportTemplate>("PATCH", `/export-templates/${id}`, body);
}

export function deleteTemplate(id: number): Promise<void> {
  return api<void>("DELETE", `/export-templates/${id}`);
}
