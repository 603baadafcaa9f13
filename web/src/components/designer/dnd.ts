import { ref } from "vue";
import type { LayoutKind } from "@/stores/designer";

/** What is being dragged in the designer: a control from the palette or an item of the canvas. */
export type DragPayload =
  | { source: "palette"; type: string; layout?: undefined }
  | { source: "palette"; layout: LayoutKind; type?: undefined }
  | { source: "canvas"; uid: string; kind: string };

export const MIME = "application/x-qiao-designer";

/** The current drag (dataTransfer cannot be read during dragover, so it is kept here too). */
export const dragging = ref<DragPayload | null>(null);

export function setDrag(e: DragEvent, payload: DragPayload): void {
  dragging.value = payload;
  if (e.dataTransfer) {
    e.dataTransfer.effectAllowed = payload.source === "palette" ? "copy" : "move";
    e.dataTransfer.setData(MIME, JSON.stringify(payload));
    e.dataTransfer.setData("text/plain", payload.source === "palette" ? payload.type ?? payload.layout ?? "" : payload.uid);
  }
}

export function readDrag(e: DragEvent): DragPayload | null {
  const text = e.dataTransfer?.getData(MIME);
  if (text) {
    try {
      return JSON.parse(text) as DragPayload;
    } catch {
      /* fall through */
    }
  }
  return dragging.value;
}

export function endDrag(): void {
  dragging.value = null;
}
