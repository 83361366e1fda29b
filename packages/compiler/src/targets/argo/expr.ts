/**
 * Writing Argo expressions (expr-lang, the `{{=…}}` tags and `valueFrom.expression`) that user
 * text cannot break out of.
 *
 * Three Argo rules shape what is written:
 * - fasttemplate ends a tag at the first `}}`, so an expression never contains `{{` or `}}`;
 * - an expression *tag* containing both `?` and `:` is split by Argo as a ternary at the first `?`
 *   (util/template `isTernaryExpression`), so tags never contain both (`valueFrom.expression` is
 *   evaluated whole and may use `c ? a : b`);
 * - the YAML writer folds long lines at spaces, and Argo wants tags on one line, so expressions
 *   contain no spaces.
 * String literals therefore write every character outside a small safe set as an `\xNN` / `\uNNNN`
 * escape (expr-lang's lexer decodes them): braces, `?`, `:`, quotes, backslashes, `$`, spaces and
 * control characters never appear literally.
 *
 * @module
 */

import { LBRACE_ENV } from './text.ts'

/** A character (a code point: `u`) outside the safe set. */
const UNSAFE = /[^A-Za-z0-9_.,/@+\-=%~^*]/gu

function escapeCharacter(c: string): string {
  const code = c.codePointAt(0)!
  if (code < 0x80) return `\\x${code.toString(16).padStart(2, '0')}`
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`
  return `\\U${code.toString(16).padStart(8, '0')}`
}

/** Literals already written: most are names and fixed pieces that every task's expressions repeat. */
const literals = new Map<string, string>()

/** An expr-lang string literal for any text, safe inside a tag (see the module notes). */
export function exprLiteral(text: string): string {
  let literal = literals.get(text)
  if (literal === undefined) {
    literal = `'${text.replace(UNSAFE, escapeCharacter)}'`
    if (literals.size < 10_000) literals.set(text, literal)
  }
  return literal
}

/** A number literal expr-lang reads back as the same number. */
export function exprNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`cannot write ${value} in an Argo expression`)
  return JSON.stringify(value).replace('e+', 'e')
}

/** Indexes a map by a key that may hold `-` (`tasks['my-task']`). */
export function exprIndex(base: string, key: string): string {
  return `${base}[${exprLiteral(key)}]`
}

/**
 * An expression written as a `{{=…}}` tag. Throws on what Argo would misread (a Typeflow bug: every
 * expression is built from the helpers above).
 */
export function exprTag(expression: string): string {
  if (expression.includes('{{') || expression.includes('}}') || /\s/.test(expression)) {
    throw new Error(`internal: expression cannot be written as an Argo tag: ${expression}`)
  }
  if (expression.includes('?') && expression.includes(':')) {
    throw new Error(`internal: Argo would split this tag as a ternary: ${expression}`)
  }
  return `{{=${expression}}}`
}

/**
 * `text` (an expression) with every `from` replaced by `to`, left to right, as `split` finds them;
 * with `split` and `join` only, the functions the target's other expressions already rely on.
 */
export function exprReplace(text: string, from: string, to: string): string {
  return `join(split(${text},${exprLiteral(from)}),${exprLiteral(to)})`
}

const LBRACE_REF = `$(${LBRACE_ENV})`

/**
 * A run-time value (an expression) as every template input holds it: kubelet-encoded, so that the
 * kubelet gives the value back exactly wherever it lands in a command line, and with no `{` left
 * for Argo to read a tag in: each `$` doubled, each `{` written `$(TYPEFLOW_LBRACE)`.
 */
export function kubeletEncoded(expression: string): string {
  return exprReplace(exprReplace(expression, '$', '$$'), '{', LBRACE_REF)
}

/**
 * The same for JSON text that must stay JSON (a list Argo iterates), whose strings arrive as
 * template inputs: each `$` doubled (JSON holds `$` only in strings); a `{` written
 * `$(TYPEFLOW_LBRACE)` where it would make `{{`, and where it starts a string (`"{`: a structural
 * brace follows `[`, `,` or `:`, and a quote inside a string is escaped). So no item starts with
 * `{` or ends with an active `$`. An item may still end with `{` (in `{"` the brace may also open
 * an object): no value that may follow it starts with `{` (see `write` in text.ts), except a JSON
 * object.
 */
export function kubeletEncodedJson(expression: string): string {
  return exprReplace(exprReplace(exprReplace(expression, '$', '$$'), '{{', `{${LBRACE_REF}`), '"{', `"${LBRACE_REF}`)
}

/**
 * Kubelet-encoded text (an expression) decoded as the kubelet decodes it: `$$` pairs first, left to
 * right (as `split` finds them), then the brace reference. `%` marks the decoded `$` meanwhile and
 * is itself escaped first, so no text can pass for a marker. Encoded values hold no other `$(`.
 */
export function kubeletDecoded(expression: string): string {
  let text = exprReplace(expression, '%', '%e')
  text = exprReplace(text, '$$', '%d')
  text = exprReplace(text, LBRACE_REF, '{')
  text = exprReplace(text, '%d', '$')
  return exprReplace(text, '%e', '%')
}

/** Argo node phases as KFP's `PipelineTaskFinalStatus.state` spells them. */
export const FINAL_STATES: Readonly<Record<string, string>> = {
  Succeeded: 'SUCCEEDED',
  Failed: 'FAILED',
  Error: 'FAILED',
  Skipped: 'SKIPPED',
  Omitted: 'SKIPPED',
}

/** The expression mapping a node phase (an expression) to the KFP state. */
export function finalStateExpression(phase: string): string {
  const entries = Object.entries(FINAL_STATES).map(([argo, kfp]) => `${exprLiteral(argo)}:${exprLiteral(kfp)}`)
  return `{${entries.join(',')}}[${phase}]`
}
