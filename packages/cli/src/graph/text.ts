/**
 * Text helpers shared by the renderers: XML escaping and a width estimate for laying out labels
 * without a browser.
 *
 * @module
 */

/** Characters XML 1.0 cannot hold at all (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/F). */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * Escapes text for XML and HTML element content and quoted attribute values: `& < > " '`
 * become entities, and characters XML cannot hold become U+FFFD.
 *
 * @example
 * ```ts
 * escapeXml(`<script>alert("x & y")</script>`) // '&lt;script&gt;alert(&quot;x &amp; y&quot;)&lt;/script&gt;'
 * ```
 */
export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

// Advance widths of Arial / Liberation Sans (metric-compatible), in 1/1000 em, for ASCII 32–126.
const ARIAL = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584,
  556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278,
  469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260,
  334, 584,
]

/**
 * Estimated width in pixels of `text` set in Arial-like sans at `size` px (bold about 8 % wider).
 * Deterministic: the layout never depends on the fonts of the machine that renders it.
 *
 * @example
 * ```ts
 * textWidth('train-model', 13, true) // ≈ 78
 * ```
 */
export function textWidth(text: string, size: number, bold = false): number {
  let units = 0
  for (const char of text) {
    const code = char.codePointAt(0)!
    units += code >= 32 && code <= 126 ? ARIAL[code - 32]! : code >= 0x2e80 ? 1000 : 600
  }
  return (units / 1000) * size * (bold ? 1.08 : 1)
}

/**
 * Shortens `text` with an ellipsis so that it fits in `width` pixels.
 *
 * @example
 * ```ts
 * fitText('a very long task label indeed', 80, 12) // 'a very long t…'
 * ```
 */
export function fitText(text: string, width: number, size: number, bold = false): string {
  if (textWidth(text, size, bold) <= width) return text
  const chars = [...text]
  while (chars.length > 0 && textWidth(`${chars.join('')}…`, size, bold) > width) chars.pop()
  return `${chars.join('').trimEnd()}…`
}

/**
 * A number for SVG output: at most one decimal, never `-0`, so output is byte-stable.
 *
 * @example
 * ```ts
 * num(12.345) // '12.3'
 * ```
 */
export function num(value: number): string {
  const rounded = Math.round(value * 10) / 10
  return Object.is(rounded, -0) ? '0' : String(rounded)
}
