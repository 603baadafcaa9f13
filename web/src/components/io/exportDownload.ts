import { ApiError, writeHeaders } from "@/api/client";

/** How long a download frame is kept: long enough for the server to check and plan the
 * export and answer with its headers, after which the browser owns the download. */
const FRAME_MS = 10 * 60_000;

/**
 * Download `url` in a hidden frame. A successful export is an attachment the browser
 * streams straight to disk (nothing of a million-row file is held by the page), and it
 * is requested once (one audit entry). The frame displays a page only when the server
 * refused: the export is checked before its first byte and a refusal is a JSON error.
 * That error is then asked for again with the app's language (the frame's request
 * carries the browser's) and handed to `onError`; a refusal has no effect on the server,
 * so asking twice is harmless.
 */
export function downloadInFrame(url: string, onError: (e: Error) => void, doc: Document = document): HTMLIFrameElement {
  const frame = doc.createElement("iframe");
  frame.style.display = "none";
  frame.setAttribute("aria-hidden", "true");
  frame.tabIndex = -1;
  frame.dataset.test = "export-frame";
  const timer = setTimeout(() => frame.remove(), FRAME_MS);
  const onLoad = (): void => {
    if (!displaysPage(frame)) return; // the initial blank document of some browsers
    frame.removeEventListener("load", onLoad);
    clearTimeout(timer);
    frame.remove();
    void refusal(url).then((e) => e && onError(e));
  };
  frame.addEventListener("load", onLoad);
  frame.src = url;
  doc.body.appendChild(frame);
  return frame;
}

/** Whether the frame shows a document with content (an error page), not a blank one. */
function displaysPage(frame: HTMLIFrameElement): boolean {
  try {
    return Boolean(frame.contentDocument?.body?.textContent?.trim());
  } catch {
    return true; // not readable: something other than the blank start page
  }
}

/**
 * The server's refusal of `url` as an ApiError (its localised message and details), or
 * null when the GET now succeeds: its body is cancelled unread, never buffered.
 */
export async function refusal(url: string): Promise<Error | null> {
  let response: Response;
  try {
    response = await fetch(url, { method: "GET", headers: { "Accept-Language": writeHeaders()["Accept-Language"] }, credentials: "same-origin" });
  } catch (e) {
    return e as Error;
  }
  if (response.ok) {
    await response.body?.cancel().catch(() => undefined);
    return null;
  }
  const data = await response.json().catch(() => null);
  const error = data?.error ?? {};
  return new ApiError(response.status, error.code ?? "http_error", error.message ?? response.statusText, error.details ?? []);
}
