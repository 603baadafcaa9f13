/**
 * Formula text as the editor handles it. Formulas are stored with field KEYS
 * (`qty * price`, `lines.subtotal`, `customer.city`) so that renaming a field never breaks
 * one; the editor shows them with `{标签}` labels (`{数量} * {单价}`, `{明细}.{小计}`), which
 * the backend accepts as well. This module tokenises an expression the way the grammar does
 * (src/qiao/formula/grammar.py: NAME, {LABEL}, "strings", numbers, #errors), resolves
 * dotted paths against the form's fields (sub-form columns and related forms' fields as
 * children) and converts between the two spellings. It also maps the server's error offsets
 * (Python string indices, i.e. code points) to the editor's UTF-16 positions.
 */

/** A field as a formula can name it; `children` are sub-form columns or a related form's fields. */
export interface ScopeField {
  key: string;
  label: string;
  type: string;
  /** sub-form columns, or the target form's fields of a relation (once loaded) */
  children?: ScopeField[];
  /** the related form of a relation field (its fields are loaded on demand) */
  targetFormId?: number | null;
}

export type TokenKind = "string" | "number" | "error" | "name" | "label" | "dot" | "lpar" | "rpar" | "comma" | "op" | "space" | "bad";

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  text: string;
}

const PATTERNS: [TokenKind, RegExp][] = [
  ["space", /[ \t\r\n\u00a0\u3000]+/y],
  ["string", /"(?:[^"]|"")*"/y],
  ["error", /#(?:N\/A|DIV\/0!|VALUE!|NAME\?|NUM!|REF!|NULL!)/iy],
  ["number", /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y],
  ["name", /[A-Za-z_][A-Za-z0-9_]*/y],
  ["label", /\{[^{}]+\}/y],
  ["dot", /\./y],
  ["lpar", /\(/y],
  ["rpar", /\)/y],
  ["comma", /,/y],
  ["op", /<=|>=|<>|[=<>&+\-*/^%]/y],
];

/** The tokens of an expression; anything the grammar does not know is a one-character "bad" token (and an unclosed string runs to the end). */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  outer: while (i < text.length) {
    for (const [kind, re] of PATTERNS) {
      re.lastIndex = i;
      const m = re.exec(text);
      if (m && m[0].length) {
        out.push({ kind, start: i, end: i + m[0].length, text: m[0] });
        i += m[0].length;
        continue outer;
      }
    }
    // an unterminated string keeps the rest of the text (as the user sees it while typing)
    const end = text[i] === '"' ? text.length : i + 1;
    out.push({ kind: text[i] === '"' ? "string" : "bad", start: i, end, text: text.slice(i, end) });
    i = end;
  }
  return out;
}

/** One segment of a reference path, resolved (field) or not. */
export interface Segment {
  token: Token;
  field: ScopeField | null;
}

/** A piece of the expression for display: plain tokens, function names and field references. */
export type Piece =
  | { kind: "token"; token: Token }
  | { kind: "func"; token: Token }
  | { kind: "ref"; start: number; end: number; segments: Segment[]; tokens: Token[] };

function segmentName(tok: Token): string {
  return tok.kind === "label" ? tok.text.slice(1, -1).trim() : tok.text;
}

/** The field a segment names among `fields`: a NAME by key; a {LABEL} by label, else by key. Ambiguous labels resolve to nothing. */
export function resolveSegment(tok: Token, fields: ScopeField[] | undefined): ScopeField | null {
  if (!fields) return null;
  const name = segmentName(tok);
  if (tok.kind === "name") return fields.find((f) => f.key === name) ?? null;
  const byLabel = fields.filter((f) => f.label.trim() === name);
  if (byLabel.length === 1) return byLabel[0];
  if (byLabel.length > 1) return null;
  return fields.find((f) => f.key === name) ?? null;
}

/** Split an expression into display pieces: dotted paths become references unless followed by "(" (a function call). */
export function pieces(text: string, scope: ScopeField[]): Piece[] {
  const toks = tokenize(text);
  const out: Piece[] = [];
  let i = 0;
  while (i < toks.length) {
    const tok = toks[i];
    if (tok.kind !== "name" && tok.kind !== "label") {
      out.push({ kind: "token", token: tok });
      i++;
      continue;
    }
    // a path: segment (. segment)*
    const pathToks: Token[] = [tok];
    let j = i + 1;
    while (j + 1 < toks.length && toks[j].kind === "dot" && (toks[j + 1].kind === "name" || toks[j + 1].kind === "label")) {
      pathToks.push(toks[j], toks[j + 1]);
      j += 2;
    }
    let k = j;
    while (k < toks.length && toks[k].kind === "space") k++;
    if (pathToks.length === 1 && tok.kind === "name" && toks[k]?.kind === "lpar") {
      out.push({ kind: "func", token: tok });
      i++;
      continue;
    }
    const segments: Segment[] = [];
    let level: ScopeField[] | undefined = scope;
    for (const st of pathToks) {
      if (st.kind === "dot") continue;
      const field = resolveSegment(st, level);
      segments.push({ token: st, field });
      level = field?.children;
      if (!field) level = undefined;
    }
    out.push({ kind: "ref", start: tok.start, end: pathToks[pathToks.length - 1].end, segments, tokens: pathToks });
    i = j;
  }
  return out;
}

/** Whether a label can be written as `{label}` (no braces in it, and unique among its siblings). */
function labelUsable(field: ScopeField, siblings: ScopeField[] | undefined): boolean {
  if (!field.label.trim() || /[{}]/.test(field.label)) return false;
  const same = (siblings ?? []).filter((f) => f.label.trim() === field.label.trim());
  return same.length === 1;
}

function convert(text: string, scope: ScopeField[], to: "keys" | "labels"): string {
  let out = "";
  let pos = 0;
  for (const p of pieces(text, scope)) {
    if (p.kind !== "ref") continue;
    out += text.slice(pos, p.start);
    let level: ScopeField[] | undefined = scope;
    let seg = 0;
    for (const tok of p.tokens) {
      if (tok.kind === "dot") {
        out += ".";
        continue;
      }
      const { field } = p.segments[seg++];
      if (!field) {
        out += tok.text;
      } else if (to === "keys") {
        out += field.key;
      } else {
        out += labelUsable(field, level) ? `{${field.label.trim()}}` : field.key;
      }
      level = field?.children;
    }
    pos = p.end;
  }
  return out + text.slice(pos);
}

/** `{数量} * {单价}` → `qty * price` (names it cannot resolve stay as they are, for the server to report). */
export function toKeys(text: string, scope: ScopeField[]): string {
  return convert(text, scope, "keys");
}

/** `qty * price` → `{数量} * {单价}` (a key stays when its label is ambiguous or has braces). */
export function toLabels(text: string, scope: ScopeField[]): string {
  return convert(text, scope, "labels");
}

/** How a field is written when picked from the list: `{明细}.{数量}` (labels when usable, else keys). */
export function referenceText(path: ScopeField[], scope: ScopeField[]): string {
  let level: ScopeField[] | undefined = scope;
  const parts: string[] = [];
  for (const f of path) {
    parts.push(labelUsable(f, level) ? `{${f.label.trim()}}` : f.key);
    level = f.children;
  }
  return parts.join(".");
}

/** A code-point offset (Python's str index, as the server reports positions) as a UTF-16 index into `text`. */
export function codePointToUtf16(text: string, offset: number): number {
  if (offset <= 0) return 0;
  let cp = 0;
  let i = 0;
  while (i < text.length && cp < offset) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
    cp++;
  }
  return i;
}

/** The server's error range [start, end) in code points as a UTF-16 range, never empty (a zero-width error marks one character). */
export function errorRange(text: string, start: number | undefined, end: number | undefined): { start: number; end: number } | null {
  if (start == null || Number.isNaN(Number(start))) return null;
  const s = Math.min(codePointToUtf16(text, Number(start)), text.length);
  let e = end == null ? s : Math.min(codePointToUtf16(text, Number(end)), text.length);
  if (e <= s) e = Math.min(s + 1, text.length);
  // at the very end (e.g. "missing )"): mark the last character so the underline shows
  if (s === e && s > 0) return { start: s - 1, end: s };
  return { start: s, end: e };
}

/** The line and column (1-based) of a UTF-16 position, for messages about long formulas. */
export function lineCol(text: string, pos: number): { line: number; col: number } {
  const before = text.slice(0, pos).split("\n");
  return { line: before.length, col: before[before.length - 1].length + 1 };
}
