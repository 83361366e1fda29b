/**
 * A parser for the CEL subset the KFP SDK writes in `triggerPolicy.condition`: comparisons of
 * `inputs.parameter_values['…']` (optionally cast with `int(…)` / `double(…)`) with literals,
 * combined with `&&`, `||`, `!` and parentheses.
 *
 * @module
 */

/** One side of a comparison. */
export type CelOperand =
  | { readonly kind: 'channel'; readonly name: string }
  | { readonly kind: 'literal'; readonly value: string | number | boolean }

/** A parsed condition. Parenthesized groups stay nested (`a && (b && c)` is not flattened). */
export type CelExpr =
  | { readonly kind: 'compare'; readonly op: '==' | '!=' | '<' | '<=' | '>' | '>='; readonly left: CelOperand; readonly right: CelOperand }
  | { readonly kind: 'and' | 'or'; readonly items: readonly CelExpr[] }
  | { readonly kind: 'not'; readonly item: CelExpr }

type Token =
  | { readonly t: 'op'; readonly v: string }
  | { readonly t: 'channel'; readonly v: string }
  | { readonly t: 'literal'; readonly v: string | number | boolean }
  | { readonly t: 'cast'; readonly v: string }

function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const rest = text.slice(i)
    const space = /^\s+/.exec(rest)
    if (space) {
      i += space[0].length
      continue
    }
    const channel = /^inputs\.parameter_values\['([^']*)'\]/.exec(rest)
    if (channel) {
      tokens.push({ t: 'channel', v: channel[1]! })
      i += channel[0].length
      continue
    }
    const cast = /^(int|double|string|bool)\(/.exec(rest)
    if (cast) {
      tokens.push({ t: 'cast', v: cast[1]! })
      i += cast[0].length
      continue
    }
    const op = /^(==|!=|<=|>=|&&|\|\||<|>|!|\(|\))/.exec(rest)
    if (op) {
      tokens.push({ t: 'op', v: op[1]! })
      i += op[0].length
      continue
    }
    if (rest[0] === "'" || rest[0] === '"') {
      const quote = rest[0]
      let value = ''
      let j = 1
      for (; j < rest.length && rest[j] !== quote; j++) {
        if (rest[j] === '\\' && j + 1 < rest.length) {
          j++
          const c = rest[j]!
          value += c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c
        } else value += rest[j]
      }
      if (j >= rest.length) throw new Error(`unterminated string in condition "${text}"`)
      tokens.push({ t: 'literal', v: value })
      i += j + 1
      continue
    }
    const number = /^-?(\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+)/.exec(rest)
    if (number) {
      tokens.push({ t: 'literal', v: Number(number[0]) })
      i += number[0].length
      continue
    }
    const word = /^(true|false)\b/.exec(rest)
    if (word) {
      tokens.push({ t: 'literal', v: word[1] === 'true' })
      i += word[0].length
      continue
    }
    throw new Error(`cannot read condition "${text}" at "${rest.slice(0, 20)}"`)
  }
  return tokens
}

/**
 * Parses a KFP trigger condition.
 *
 * @example
 * ```ts
 * import { parseCel } from './cel.ts'
 * parseCel("int(inputs.parameter_values['pipelinechannel--n']) > 3")
 * // { kind: 'compare', op: '>', left: { kind: 'channel', name: 'pipelinechannel--n' }, right: { kind: 'literal', value: 3 } }
 * ```
 */
export function parseCel(text: string): CelExpr {
  const tokens = tokenize(text)
  let pos = 0
  const peek = () => tokens[pos]
  const isOp = (v: string) => {
    const t = peek()
    return t?.t === 'op' && t.v === v
  }
  const expect = (v: string) => {
    if (!isOp(v)) throw new Error(`expected "${v}" in condition "${text}"`)
    pos++
  }
  const operand = (): CelOperand => {
    const t = tokens[pos++]
    if (!t) throw new Error(`condition "${text}" ends early`)
    if (t.t === 'channel') return { kind: 'channel', name: t.v }
    if (t.t === 'literal') return { kind: 'literal', value: t.v }
    if (t.t === 'cast') {
      const inner = operand()
      expect(')')
      return inner
    }
    throw new Error(`unexpected "${t.v}" in condition "${text}"`)
  }
  const comparison = (): CelExpr => {
    const left = operand()
    const t = tokens[pos++]
    if (t?.t !== 'op' || !['==', '!=', '<', '<=', '>', '>='].includes(t.v)) throw new Error(`expected a comparison in condition "${text}"`)
    const right = operand()
    return { kind: 'compare', op: t.v as '==', left, right }
  }
  const unary = (): CelExpr => {
    if (isOp('!')) {
      pos++
      expect('(')
      const item = or()
      expect(')')
      return { kind: 'not', item }
    }
    if (isOp('(')) {
      pos++
      const inner = or()
      expect(')')
      return inner
    }
    return comparison()
  }
  const and = (): CelExpr => {
    const items = [unary()]
    while (isOp('&&')) {
      pos++
      items.push(unary())
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items }
  }
  const or = (): CelExpr => {
    const items = [and()]
    while (isOp('||')) {
      pos++
      items.push(and())
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items }
  }
  const result = or()
  if (pos !== tokens.length) throw new Error(`unexpected text after condition in "${text}"`)
  return result
}

/**
 * Structural equality of two parsed conditions.
 *
 * @example
 * ```ts
 * import { parseCel, sameCel } from './cel.ts'
 * sameCel(parseCel("inputs.parameter_values['a'] == 1"), parseCel("inputs.parameter_values['a']  ==  1")) // true
 * ```
 */
export function sameCel(a: CelExpr, b: CelExpr): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}
