import { describe, expect, it } from "vitest";
import { acceptAttr, asFiles, formatSize, thumbUrl, uploadError } from "../files";
import { widgetFor } from "..";

describe("file field helpers", () => {
  it("reads descriptors and ignores anything else", () => {
    const files = asFiles([{ id: 3, name: "a.jpg", size: 10, mime: "image/jpeg" }, 4, null, "x"]);
    expect(files.map((f) => f.id)).toEqual([3]);
    expect(asFiles(null)).toEqual([]);
  });

  it("shows sizes and thumbnails", () => {
    expect(formatSize(512)).toBe("512 B");
    expect(formatSize(1536)).toBe("1.5 KB");
    expect(formatSize(5 * 1024 * 1024)).toBe("5.0 MB");
    expect(thumbUrl({ id: 7, name: "a", size: 1, mime: "image/png", thumbnail: true })).toBe("/api/v1/files/7/thumbnail");
    expect(thumbUrl({ id: 7, name: "a", size: 1, mime: "image/png" })).toBe("/api/v1/files/7");
  });

  it("offers the extensions of the chosen groups", () => {
    expect(acceptAttr(["pdf"])).toBe(".pdf");
    expect(acceptAttr([])).toContain(".docx");
  });

  it("takes the server's messages from an error body", () => {
    const body = JSON.stringify({ error: { code: "validation_failed", message: "x", details: [{ message: "内容不符" }] } });
    expect(uploadError(body, "fallback")).toBe("内容不符");
    expect(uploadError("<html>", "fallback")).toBe("fallback");
  });

  it("lists file names as the plain text of a value", () => {
    const value = [{ id: 1, name: "合同.pdf", size: 1, mime: "application/pdf" }, { id: 2, name: "b.png", size: 1, mime: "image/png" }];
    expect(widgetFor("attachment").format(value, {} as never)).toBe("合同.pdf、b.png");
    expect(widgetFor("signature").empty()).toEqual([]);
  });
});
