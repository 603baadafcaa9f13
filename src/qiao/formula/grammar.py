"""The formula grammar (lark, LALR).

Excel's precedence, lowest first: comparison, ``&``, ``+ -``, ``* /``, ``^``, postfix
``%``, unary ``- +`` (so ``-2^2`` is 4, as in Excel). Every binary operator is
left-associative, ``^`` included (``2^3^2`` is 64, as in Excel). A name followed by
``(`` is a function call; otherwise a dotted path of field keys and ``{labels}`` is a
reference (a label of CJK characters may also be typed without braces: ``金额*2``). TRUE and FALSE are names the parser turns into booleans.

Kept as a Python string rather than a ``.lark`` file so that it ships inside the
package without package-data configuration.
"""

GRAMMAR = r"""
?start: comparison

?comparison: concat
    | comparison COMPARE concat -> binary
?concat: additive
    | concat AMP additive -> binary
?additive: term
    | additive (PLUS | MINUS) term -> binary
?term: power
    | term (STAR | SLASH) power -> binary
?power: percent
    | power CARET percent -> binary
?percent: unary
    | percent PERCENT -> percent
?unary: atom
    | (PLUS | MINUS) unary -> unary
?atom: NUMBER -> number
    | STRING -> string
    | ERROR -> error
    | path -> ref
    | path LPAR [arguments] RPAR -> call
    | LPAR comparison RPAR -> group

arguments: comparison (COMMA comparison)*
path: segment (DOT segment)*
segment: NAME | LABEL | BARE_LABEL

COMPARE: "<=" | ">=" | "<>" | "=" | "<" | ">"
AMP: "&"
PLUS: "+"
MINUS: "-"
STAR: "*"
SLASH: "/"
CARET: "^"
PERCENT: "%"
LPAR: "("
RPAR: ")"
COMMA: ","
DOT: "."
NUMBER.2: /(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/
STRING: /"([^"]|"")*"/
ERROR: /#(N\/A|DIV\/0!|VALUE!|NAME\?|NUM!|REF!|NULL!)/i
NAME: /[A-Za-z_][A-Za-z0-9_]*/
LABEL: /\{[^{}]+\}/
// a label typed without braces: CJK text (金额, 客户2), as users type field names
BARE_LABEL: /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff][\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffA-Za-z0-9_]*/

%ignore /[ \t\r\n\u00a0\u3000]+/
"""

#: how the parser's "expected …" names a terminal; value-starting terminals map to None
TERMINAL_SYMBOLS: dict[str, str | None] = {
    "COMPARE": "=",
    "AMP": "&",
    "PLUS": "+",
    "MINUS": "-",
    "STAR": "*",
    "SLASH": "/",
    "CARET": "^",
    "PERCENT": "%",
    "LPAR": "(",
    "RPAR": ")",
    "COMMA": ",",
    "DOT": ".",
    "NUMBER": None,
    "STRING": None,
    "ERROR": None,
    "NAME": None,
    "LABEL": None,
    "BARE_LABEL": None,
}
