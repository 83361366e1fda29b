/**
 * Writing user text into Argo manifests so that it reaches the container exactly as the KFP target
 * would deliver it, and never turns into Argo template syntax.
 *
 * Why this is needed: Argo has no escape for a literal `{{`, and it substitutes the same text
 * several times (the template JSON once for globals, once for inputs, then the pod spec again in
 * `substitutePodParams`), so a `{{` that survives one pass — as the `{{='{{'}}` or "pass it as a
 * parameter default" tricks produce — is parsed as a tag by the next one.
 *
 * How: user text that would put `{` next to another `{` (or next to one of our tags) writes that
 * brace as `$(TYPEFLOW_LBRACE)`, a Kubernetes dependent-variable reference to an env var whose
 * value is `{`. Argo never sees `{{`; the kubelet expands the reference when it starts the
 * container (it does so for `command`, `args` and `env` values, which is where all parameter values
 * and literals we emit end up). The kubelet's own rules (`$$` → `$`, `$(VAR)` → the variable) also
 * applied to these strings under KFP, so the encoder tokenizes text the way the kubelet does and
 * keeps every `$`-sequence meaning what it meant: in the common case the text is unchanged.
 *
 * @module
 */

/** The env var the brace escape refers to; containers that need it define it first. */
export const LBRACE_ENV = 'TYPEFLOW_LBRACE'
const LBRACE_REF = `$(${LBRACE_ENV})`

/** One piece of a command-line argument, before it is written as an Argo string. */
export type ArgItem =
  /** Text the user wrote: the kubelet's `$(VAR)` expansion applies to it, as under KFP. */
  | { readonly kind: 'user'; readonly text: string }
  /** Text we insert for a placeholder (a path, a JSON skeleton): must reach the container as is. */
  | { readonly kind: 'verbatim'; readonly text: string }
  /** An Argo tag, written `{{tag}}` (e.g. `inputs.parameters.lr`, `=toJson(…)`). */
  | { readonly kind: 'tag'; readonly tag: string }

/** Kubelet-level tokens of the argument: literal characters (`lit`), text kept as is, and tags. */
type Token =
  | { readonly t: 'lit'; readonly c: string }
  | { readonly t: 'raw'; readonly text: string }
  | { readonly t: 'opOpen' }
  | { readonly t: 'tag'; readonly tag: string }

type Element = { readonly c: string } | { readonly atom: ArgItem & { kind: 'tag' | 'verbatim' } }

function lits(text: string, out: Token[]): void {
  for (const c of text) out.push({ t: 'lit', c })
}

function atomTokens(atom: ArgItem & { kind: 'tag' | 'verbatim' }, out: Token[]): void {
  if (atom.kind === 'tag') out.push({ t: 'tag', tag: atom.tag })
  else lits(atom.text, out)
}

/**
 * Splits the argument the way the kubelet's `expansion.Expand` reads it. Placeholders (our tags and
 * verbatim text) stand where KFP's `{{$…}}` placeholders stood, which the kubelet never altered: they
 * are opaque elements here.
 */
function tokenize(items: readonly ArgItem[]): Token[] {
  const elements: Element[] = []
  for (const item of items) {
    if (item.kind === 'user') for (const c of item.text) elements.push({ c })
    else elements.push({ atom: item })
  }
  const out: Token[] = []
  const n = elements.length
  for (let i = 0; i < n; ) {
    const e = elements[i]!
    if ('atom' in e) {
      atomTokens(e.atom, out)
      i++
      continue
    }
    if (e.c !== '$') {
      out.push({ t: 'lit', c: e.c })
      i++
      continue
    }
    const next = elements[i + 1]
    if (next === undefined || 'atom' in next) {
      // A trailing `$`, or `$` before a placeholder: the kubelet leaves it as it is.
      out.push({ t: 'lit', c: '$' })
      i++
    } else if (next.c === '$') {
      out.push({ t: 'raw', text: '$$' })
      i += 2
    } else if (next.c === '(') {
      let close = -1
      for (let j = i + 2; j < n; j++) {
        const el = elements[j]!
        if (!('atom' in el) && el.c === ')') {
          close = j
          break
        }
      }
      if (close < 0) {
        out.push({ t: 'opOpen' })
        i += 2
        continue
      }
      const inner = elements.slice(i + 2, close)
      const name = inner.every((el) => !('atom' in el)) ? inner.map((el) => (el as { c: string }).c).join('') : undefined
      if (name !== undefined && !name.includes('{{')) {
        out.push({ t: 'raw', text: `$(${name})` })
      } else {
        // A reference the kubelet cannot resolve (it spans a placeholder or holds `{{`): it is left
        // literally, so write it as literal characters.
        lits('$(', out)
        for (const el of inner) {
          if ('atom' in el) atomTokens(el.atom, out)
          else out.push({ t: 'lit', c: el.c })
        }
        out.push({ t: 'lit', c: ')' })
      }
      i = close + 1
    } else {
      // `$x`: the kubelet copies both characters.
      out.push({ t: 'lit', c: '$' }, { t: 'lit', c: next.c })
      i += 2
    }
  }
  return out
}

const TAG = Symbol('tag')
const END = Symbol('end')
type Next = string | typeof TAG | typeof END

/**
 * Writes tokens right to left, deciding each character from what follows it:
 * - a literal `$` is doubled when the next written character is `$` or `(`, or a tag (whose value
 *   is only known at run time), so the kubelet reads it as a plain `$`;
 * - a literal `{` becomes `$(TYPEFLOW_LBRACE)` when the next written character is `{` or a tag, or
 *   the previous token is a tag (a run-time value may end in `{`);
 * - an unclosed `$(` is written `$$(` once anything written after it (an escape, a tag's value,
 *   inserted text) may supply the `)` that would close it.
 * `open` is for a parameter value, which does not know what surrounds it: its end is treated as a
 * tag, and a `{` it starts with is escaped too, unless a `"` follows (JSON: an object). Whatever
 * precedes a value avoids an active `$` but may end in `{`: a loop item out of a JSON list, which
 * is encoded only where it stays JSON (see `kubeletEncodedJson`).
 */
function write(tokens: readonly Token[], open: boolean): { text: string; escaped: boolean } {
  const parts: string[] = []
  let next: Next = open ? TAG : END
  let laterRisk = open
  let escaped = false
  for (let i = tokens.length - 1; i >= 0; i--) {
    const token = tokens[i]!
    const afterTag = i > 0 && tokens[i - 1]!.t === 'tag'
    const startsValue = i === 0 && open && next !== '"'
    let text: string
    switch (token.t) {
      case 'tag':
        text = `{{${token.tag}}}`
        laterRisk = true
        break
      case 'raw':
        text = token.text
        break
      case 'opOpen':
        text = laterRisk ? '$$(' : '$('
        break
      case 'lit':
        if (token.c === '$') text = next === '$' || next === '(' || next === TAG ? '$$' : '$'
        else if (token.c === '{' && (next === '{' || next === TAG || afterTag || startsValue)) {
          text = LBRACE_REF
          escaped = true
          laterRisk = true
        } else text = token.c
        break
    }
    parts.push(text)
    if (text.includes(')')) laterRisk = true
    next = token.t === 'tag' ? TAG : text[0]!
  }
  return { text: parts.reverse().join(''), escaped }
}

/** An argument written for Argo: the string, and whether it relies on `TYPEFLOW_LBRACE`. */
export interface EncodedText {
  readonly text: string
  readonly usesBraceEnv: boolean
}

/**
 * Only a `$` or a `{` in written text can make its encoding differ from the text itself (see
 * write): most text has neither, and skips the per-character tokens.
 */
const NEEDS_ENCODING = /[${]/

/** Whether text is written as it is, as an argument, an env value and a parameter value alike. */
export function isPlainText(text: string): boolean {
  return !NEEDS_ENCODING.test(text)
}

/** The items as they are (tags as `{{…}}`) when no text among them needs encoding, else `undefined`. */
function unencoded(items: readonly (ArgItem | ValueItem)[]): string | undefined {
  let plain = ''
  for (const item of items) {
    if (item.kind === 'tag') plain += `{{${item.tag}}}`
    else if (NEEDS_ENCODING.test(item.text)) return undefined
    else plain += item.text
  }
  return plain
}

/** Writes a command-line argument (or an env value) made of user text, placeholders and tags. */
export function encodeArg(items: readonly ArgItem[]): EncodedText {
  const plain = unencoded(items)
  if (plain !== undefined) return { text: plain, usesBraceEnv: false }
  const { text, escaped } = write(tokenize(items), false)
  return { text, usesBraceEnv: escaped }
}

/**
 * Writes a parameter value (a constant, a default) that Argo substitutes into command lines: the
 * kubelet must give back exactly `value`, wherever in an argument it lands.
 */
export function encodeValue(value: string): EncodedText {
  if (!NEEDS_ENCODING.test(value)) return { text: value, usesBraceEnv: false }
  const tokens: Token[] = []
  lits(value, tokens)
  const { text, escaped } = write(tokens, true)
  return { text, usesBraceEnv: escaped }
}

/** A piece of a parameter value built at run time: literal text, or an Argo tag (`inputs.parameters.x`, `=expr`). */
export type ValueItem = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'tag'; readonly tag: string }

/**
 * Writes a parameter value made of literal text and run-time values (an f-string, a JSON value
 * with values embedded): the kubelet must give back the literal text exactly, with each tag's
 * value where the tag stands, wherever the value lands in an argument.
 */
export function encodeValueWithTags(items: readonly ValueItem[]): EncodedText {
  const plain = unencoded(items)
  if (plain !== undefined) return { text: plain, usesBraceEnv: false }
  const tokens: Token[] = []
  for (const item of items) {
    if (item.kind === 'tag') tokens.push({ t: 'tag', tag: item.tag })
    else lits(item.text, tokens)
  }
  const { text, escaped } = write(tokens, true)
  return { text, usesBraceEnv: escaped }
}

/**
 * The literal pieces of {@link encodeValueWithTags} between its tags (one more piece than tags),
 * for writing the same value as an expression that joins the pieces and the tags' values.
 */
export function encodeValueSegments(items: readonly ValueItem[]): { readonly segments: readonly string[]; readonly usesBraceEnv: boolean } {
  let tags = 0
  const marked = items.map((item): ValueItem => (item.kind === 'tag' ? { kind: 'tag', tag: `\u0001${tags++}` } : item))
  const { text, usesBraceEnv } = encodeValueWithTags(marked)
  return { segments: text.split(/\{\{\u0001\d+\}\}/), usesBraceEnv }
}

/**
 * For text that never reaches the kubelet (annotations, descriptions, display names): breaks every
 * `{{` as `{ {`. Lossy, but only ever applied to text shown to people.
 */
export function breakBraces(text: string): string {
  return text.replace(/\{(?=\{)/g, '{ ')
}
