/**
 * Shared by the attachment, image and signature widgets: the file descriptors a record
 * holds ({id, name, size, mime, width?, height?, thumbnail?}), their URLs and uploads.
 * Files are uploaded to the form's field first (pending) and saved by the record.
 */
import { ApiError, writeHeaders } from "@/api/client";

export interface FileDescriptor {
  id: number;
  name: string;
  size: number;
  mime: string;
  width?: number;
  height?: number;
  thumbnail?: boolean;
}

export function asFiles(value: unknown): FileDescriptor[] {
  return Array.isArray(value) ? value.filter((v): v is FileDescriptor => !!v && typeof v === "object" && "id" in v) : [];
}

export const fileUrl = (id: number): string => `/api/v1/files/${id}`;
export const thumbUrl = (f: FileDescriptor): string => (f.thumbnail ? `${fileUrl(f.id)}/thumbnail` : fileUrl(f.id));
export const uploadUrl = (formId: number, key: string): string => `/api/v1/forms/${formId}/fields/${encodeURIComponent(key)}/files`;
export const isImage = (f: FileDescriptor): boolean => f.mime.startsWith("image/");

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The extensions of the type groups (as the server accepts them), for `accept`. */
export const GROUP_EXTENSIONS: Record<string, string[]> = {
  image: ["jpg", "jpeg", "png", "gif", "webp", "bmp"],
  pdf: ["pdf"],
  office: ["doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf"],
  text: ["txt", "csv", "md"],
  archive: ["zip", "rar", "7z", "gz", "tgz", "tar"],
  audio: ["mp3", "m4a", "wav", "aac", "amr", "ogg"],
  video: ["mp4", "mov", "webm", "avi", "3gp"],
};
export const GROUPS = Object.keys(GROUP_EXTENSIONS);

export function acceptAttr(groups: string[] | undefined): string {
  const chosen = groups?.length ? groups : GROUPS;
  return chosen.flatMap((g) => GROUP_EXTENSIONS[g] ?? []).map((e) => `.${e}`).join(",");
}

/** The server's error message for a failed upload (its one error shape), else `fallback`. */
export function uploadError(body: string, fallback: string): string {
  try {
    const error = JSON.parse(body)?.error;
    if (error?.details?.length) return error.details.map((d: { message: string }) => d.message).join("；");
    if (error?.message) return error.message;
  } catch {
    /* not JSON: a proxy's page */
  }
  return fallback;
}

/** Upload one blob (a drawn signature) and return its descriptor. */
export async function uploadBlob(formId: number, key: string, blob: Blob, name: string): Promise<FileDescriptor> {
  const body = new FormData();
  body.append("files", blob, name);
  const response = await fetch(uploadUrl(formId, key), { method: "POST", body, headers: writeHeaders(), credentials: "same-origin" });
  const text = await response.text();
  if (!response.ok) throw new ApiError(response.status, "upload_failed", uploadError(text, response.statusText));
  return JSON.parse(text).items[0];
}
