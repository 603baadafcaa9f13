import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, errorText } from "@/api/client";
import { downloadInFrame, refusal } from "@/components/io/exportDownload";

const URL_ = "/api/v1/forms/1/export?format=xlsx";

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

/** Give the frame a document with `text` in its body, as an error page loaded into it. */
function showPage(frame: HTMLIFrameElement, text: string): void {
  const doc = frame.contentDocument!;
  const root = doc.documentElement ?? doc.appendChild(doc.createElement("html"));
  const body = doc.body ?? root.appendChild(doc.createElement("body"));
  body.textContent = text;
}

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = "";
});

describe("export download", () => {
  it("downloads in a hidden frame without fetching anything itself", () => {
    const fetchMock = vi.fn();
    vi.stubGlobal("fetch", fetchMock);
    const onError = vi.fn();
    const frame = downloadInFrame(URL_, onError);
    expect(frame.isConnected).toBe(true);
    expect(frame.style.display).toBe("none");
    expect(frame.getAttribute("src")).toBe(URL_);
    frame.dispatchEvent(new Event("load")); // a blank start page is no refusal
    expect(frame.isConnected).toBe(true);
    expect(fetchMock).not.toHaveBeenCalled();
    expect(onError).not.toHaveBeenCalled();
  });

  it("reports a refusal with the server's localised message and drops the frame", async () => {
    const fetchMock = vi.fn().mockResolvedValue(json(403, { error: { code: "forbidden", message: "没有导出权限", details: [] } }));
    vi.stubGlobal("fetch", fetchMock);
    const onError = vi.fn();
    const frame = downloadInFrame(URL_, onError);
    showPage(frame, '{"error":{"code":"forbidden"}}'); // what the browser shows of the JSON
    frame.dispatchEvent(new Event("load"));
    expect(frame.isConnected).toBe(false);
    await vi.waitFor(() => expect(onError).toHaveBeenCalledOnce());
    const error = onError.mock.calls[0][0] as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(403);
    expect(errorText(error)).toBe("没有导出权限");
    expect(fetchMock.mock.calls[0][0]).toBe(URL_);
    expect(fetchMock.mock.calls[0][1].headers["Accept-Language"]).toBeTruthy();
  });

  it("names every detail of a validation error", async () => {
    const details = [{ field: "filter", code: "filter_invalid", message: "筛选条件有误" }];
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue(json(400, { error: { code: "request_invalid", message: "请求有误", details } })));
    const error = await refusal(URL_);
    expect(errorText(error)).toBe("筛选条件有误");
  });

  it("cancels a body that now succeeds instead of reading it", async () => {
    const cancel = vi.fn().mockResolvedValue(undefined);
    const body = new ReadableStream({ pull: () => undefined, cancel });
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue(new Response(body, { status: 200 })));
    expect(await refusal(URL_)).toBeNull();
    expect(cancel).toHaveBeenCalled();
  });

  it("reports a network failure", async () => {
    vi.stubGlobal("fetch", vi.fn().mockRejectedValue(new TypeError("Failed to fetch")));
    expect((await refusal(URL_))?.message).toBe("Failed to fetch");
  });
});
