/**
 * The rich text allow-list in the browser, mirroring the server's (nh3 in
 * src/qiao/forms/fields/richtext.py): defence in depth for v-html and the editor.
 */
const TAGS = new Set([
  "P", "BR", "STRONG", "B", "EM", "I", "U", "S", "H1", "H2", "H3", "H4", "UL", "OL", "LI", "BLOCKQUOTE",
  "A", "IMG", "CODE", "PRE", "TABLE", "THEAD", "TBODY", "TR", "TH", "TD",
]);
const DROP = new Set(["SCRIPT", "STYLE", "IFRAME", "OBJECT", "EMBED", "TEMPLATE", "SVG", "MATH"]);
const ATTRS: Record<string, string[]> = { A: ["href"], IMG: ["src", "alt"], TH: ["colspan", "rowspan"], TD: ["colspan", "rowspan"] };
export const LINK = /^(https?:\/\/|mailto:)/i;
const FILE_URL = /^\/api\/v1\/files\/[A-Za-z0-9_\-./]+$/;

function clean(node: Node, doc: Document): void {
  for (const child of Array.from(node.childNodes)) {
    if (child.nodeType === Node.COMMENT_NODE) { child.remove(); continue; }
    if (child.nodeType !== Node.ELEMENT_NODE) continue;
    const el = child as Element;
    const tag = el.tagName.toUpperCase();
    if (DROP.has(tag)) { el.remove(); continue; }
    clean(el, doc);
    if (!TAGS.has(tag)) {
      el.replaceWith(...Array.from(el.childNodes));
      continue;
    }
    const allowed = ATTRS[tag] ?? [];
    for (const attr of Array.from(el.attributes)) if (!allowed.includes(attr.name.toLowerCase())) el.removeAttribute(attr.name);
    if (tag === "A") {
      const href = el.getAttribute("href");
      if (href !== null && !LINK.test(href.trim())) el.removeAttribute("href");
      el.setAttribute("rel", "noopener noreferrer");
      el.setAttribute("target", "_blank");
    }
    if (tag === "IMG") {
      const src = el.getAttribute("src") ?? "";
      if (!FILE_URL.test(src) || src.includes("..")) el.remove();
    }
  }
}

export function cleanHtml(html: string): string {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  clean(doc.body, doc);
  return doc.body.innerHTML;
}
