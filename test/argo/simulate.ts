/**
 * A small model of what happens to a container template between the YAML and the process:
 * Argo's template substitution (fasttemplate `{{`…`}}` tags over the JSON text, unresolved tags kept,
 * applied several times like the controller does) and the kubelet's `$(VAR)` expansion of
 * `command`, `args` and `env`. Used to check that user text reaches the container exactly.
 */

import { createHash } from 'node:crypto'

/** One Argo substitution pass over JSON text (util/template: simple tags and `=` expressions). */
export function argoPass(json: string, vars: ReadonlyMap<string, string>): string {
  let out = ''
  let i = 0
  for (;;) {
    const start = json.indexOf('{{', i)
    if (start < 0) return out + json.slice(i)
    const end = json.indexOf('}}', start + 2)
    // fasttemplate refuses a template with an unclosed tag: Argo fails the workflow.
    if (end < 0) throw new Error(`unclosed {{ in ${JSON.stringify(json.slice(start, start + 60))}`)
    out += json.slice(i, start)
    const tag = json.slice(start + 2, end)
    out += replaceTag(tag, vars) ?? `{{${tag}}}`
    i = end + 2
  }
}

/** The replacement JSON text of a tag, or undefined when Argo would leave it unresolved. */
function replaceTag(tag: string, vars: ReadonlyMap<string, string>): string | undefined {
  if (tag.startsWith('=')) {
    const value = expressionTag(tag.slice(1), vars)
    return value === undefined ? undefined : JSON.stringify(value).slice(1, -1)
  }
  const value = vars.get(tag.trim())
  return value === undefined ? undefined : JSON.stringify(value).slice(1, -1)
}

/**
 * What Argo writes for an expression tag (util/template `expressionReplace`): the expression text
 * is JSON-unescaped, a tag holding both `?` and `:` is split as a ternary at the first `?`, and the
 * result is formatted with Go's `%v`. Undefined when Argo leaves the tag unresolved.
 */
export function expressionTag(jsonText: string, vars: ReadonlyMap<string, string>): string | undefined {
  const unescape = (text: string) => JSON.parse(`"${text.replaceAll('\\"', '"')}"`) as string
  try {
    let expression = jsonText
    if (expression.includes('?') && expression.includes(':') && expression.length >= 5) {
      const at = expression.indexOf('?')
      const condition = formatGo(evaluateExpression(unescape(expression.slice(0, at)), vars))
      expression = `${condition}?${expression.slice(at + 1)}`
    }
    const result = evaluateExpression(unescape(expression), vars)
    return result === null || result === undefined ? undefined : formatGo(result)
  } catch {
    return undefined
  }
}

/** Go's `fmt.Sprintf("%v", x)` for the values expressions produce. */
export function formatGo(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (value === null || value === undefined) return '<nil>'
  if (Array.isArray(value)) return `[${value.map(formatGo).join(' ')}]`
  return `map[${Object.keys(value).sort().map((k) => `${k}:${formatGo((value as Record<string, unknown>)[k])}`).join(' ')}]`
}

/** Go's json.Marshal (HTML-escaping, sorted map keys). */
export function goJson(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v
  return JSON.stringify(sorted(value) ?? null).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** An expression read something its scope does not hold (a task that did not run, say). */
export class Unresolved extends Error {}

type Token = { t: 'num'; v: number } | { t: 'str'; v: string } | { t: 'id'; v: string } | { t: 'op'; v: string }

function lex(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  const ops = ['??', '==', '!=', '<=', '>=', '&&', '||', '?.', '(', ')', '[', ']', '{', '}', ',', ':', '.', '?', '<', '>', '!', '+', '-', '*', '/', '%']
  while (i < text.length) {
    const c = text[i]!
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?/.exec(text.slice(i))!
      tokens.push({ t: 'num', v: Number(m[0]) })
      i += m[0].length
      continue
    }
    if (c === "'" || c === '"') {
      let j = i + 1
      let out = ''
      while (text[j] !== c) {
        if (j >= text.length) throw new Error('unterminated string')
        if (text[j] === '\\') {
          const e = text[j + 1]!
          const hex = (n: number) => {
            const code = parseInt(text.slice(j + 2, j + 2 + n), 16)
            if (Number.isNaN(code)) throw new Error('bad escape')
            out += String.fromCodePoint(code)
            j += 2 + n
          }
          if (e === 'x') hex(2)
          else if (e === 'u') hex(4)
          else if (e === 'U') hex(8)
          else {
            const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '`': '`', '?': '?', a: '\x07', b: '\b', f: '\f', v: '\v' }
            if (simple[e] === undefined) throw new Error(`bad escape \\${e}`)
            out += simple[e]
            j += 2
          }
          continue
        }
        out += text[j]
        j++
      }
      tokens.push({ t: 'str', v: out })
      i = j + 1
      continue
    }
    if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(text.slice(i))!
      tokens.push({ t: 'id', v: m[0] })
      i += m[0].length
      continue
    }
    const op = ops.find((o) => text.startsWith(o, i))
    if (!op) throw new Error(`unexpected ${c}`)
    tokens.push({ t: 'op', v: op })
    i += op.length
  }
  return tokens
}

function sha256Hex(text: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return createHash('sha256').update(text).digest('hex')
}

const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  toJson: (v) => goJson(v),
  toJSON: (v) => goJson(v),
  fromJSON: (v) => JSON.parse(String(v)),
  int: (v) => {
    const n = typeof v === 'number' ? v : Number(String(v).trim())
    if (!Number.isInteger(n)) throw new Error(`int(${String(v)})`)
    return n
  },
  float: (v) => {
    const n = typeof v === 'number' ? v : Number(String(v).trim())
    if (Number.isNaN(n)) throw new Error(`float(${String(v)})`)
    return n
  },
  string: (v) => (typeof v === 'string' ? v : formatGo(v)),
  lower: (v) => String(v).toLowerCase(),
  upper: (v) => String(v).toUpperCase(),
  trim: (v) => String(v).trim(),
  get: (m, k) => (m !== null && typeof m === 'object' ? ((m as Record<string, unknown>)[String(k)] ?? null) : null),
  type: (v) => (typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float') : v === null ? 'nil' : Array.isArray(v) ? 'array' : 'map'),
  split: (s, sep) => String(s).split(String(sep)),
  join: (a, sep) => (a as unknown[]).map(String).join(String(sep)),
  'sprig.sha256sum': (v) => sha256Hex(String(v)),
  'sprig.ternary': (a, b, c) => (c ? a : b),
  'sprig.upper': (v) => String(v).toUpperCase(),
  'sprig.trim': (v) => String(v).trim(),
}

/** Builds the nested environment Argo evaluates expressions against from its flat variables. */
function environment(vars: ReadonlyMap<string, string>): Record<string, unknown> {
  const env: Record<string, unknown> = {}
  for (const [key, value] of vars) {
    const path = key.split('.')
    let node = env
    for (const part of path.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>
    node[path[path.length - 1]!] = value
  }
  return env
}

/**
 * Evaluates the subset of expr-lang the Argo target writes (literals, `workflow.*`, `inputs.*`,
 * `tasks[…]` references, `+`, comparisons, `&&`/`||`/`!`, `in`, `??`, `c ? a : b`, list and map
 * literals, indexing and slicing, and the functions in FUNCTIONS). Throws on anything else or on
 * an unknown variable (Argo leaves such a tag unresolved).
 */
export function evaluateExpression(text: string, vars: ReadonlyMap<string, string>): unknown {
  const tokens = lex(text)
  const env = environment(vars)
  let pos = 0
  type Thunk = () => unknown
  const peek = (v?: string) => {
    const t = tokens[pos]
    return t !== undefined && (v === undefined || (t.t === 'op' && t.v === v) || (t.t === 'id' && t.v === v))
  }
  const take = (v: string) => {
    if (!peek(v)) throw new Error(`expected ${v} at ${pos}`)
    pos++
  }
  // Parsing builds thunks; evaluation is lazy like expr-lang's (`c ? a : b`, `&&`, `||`, `??`).
  const ternary = (): Thunk => {
    const condition = coalesce()
    if (peek('?')) {
      pos++
      const a = ternary()
      take(':')
      const b = ternary()
      return () => (condition() === true ? a() : b())
    }
    return condition
  }
  const coalesce = (): Thunk => {
    let left = or()
    while (peek('??')) {
      pos++
      const l = left
      const right = or()
      left = () => {
        let v: unknown
        try {
          v = l()
        } catch (e) {
          if (!(e instanceof Unresolved)) throw e
          v = null
        }
        return v ?? right()
      }
    }
    return left
  }
  const or = (): Thunk => {
    let left = and()
    while (peek('||')) {
      pos++
      const l = left
      const right = and()
      left = () => l() === true || right() === true
    }
    return left
  }
  const and = (): Thunk => {
    let left = equality()
    while (peek('&&')) {
      pos++
      const l = left
      const right = equality()
      left = () => l() === true && right() === true
    }
    return left
  }
  const equality = (): Thunk => {
    let left = relational()
    while (peek('==') || peek('!=')) {
      const op = (tokens[pos++] as { v: string }).v
      const l = left
      const right = relational()
      left = () => {
        const same = JSON.stringify(l()) === JSON.stringify(right())
        return op === '==' ? same : !same
      }
    }
    return left
  }
  const relational = (): Thunk => {
    let left = additive()
    for (;;) {
      const l = left
      if (peek('in')) {
        pos++
        const right = additive()
        left = () => {
          const v = l()
          return (right() as unknown[]).some((x) => JSON.stringify(x) === JSON.stringify(v))
        }
        continue
      }
      const op = ['<=', '>=', '<', '>'].find((o) => peek(o))
      if (!op) return left
      pos++
      const right = additive()
      left = () => {
        const a = l() as number | string
        const b = right() as number | string
        if (typeof a !== typeof b) throw new Error('mismatched comparison')
        return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b
      }
    }
  }
  const additive = (): Thunk => {
    let left = unary()
    while (peek('+') || peek('-')) {
      const op = (tokens[pos++] as { v: string }).v
      const l = left
      const right = unary()
      left = () => {
        const a = l()
        const b = right()
        if (op === '-') return (a as number) - (b as number)
        if (typeof a === 'string' && typeof b === 'string') return a + b
        if (typeof a === 'number' && typeof b === 'number') return a + b
        throw new Error('mismatched +')
      }
    }
    return left
  }
  const unary = (): Thunk => {
    if (peek('!')) {
      pos++
      const v = unary()
      return () => v() !== true
    }
    if (peek('-')) {
      pos++
      const v = unary()
      return () => -(v() as number)
    }
    return postfix()
  }
  const postfix = (): Thunk => {
    let [value, name] = primary()
    for (;;) {
      if (peek('.')) {
        pos++
        const t = tokens[pos++] as { t: string; v: string }
        name = name === undefined ? undefined : `${name}.${t.v}`
        if (peek('(') && name !== undefined && FUNCTIONS[name] !== undefined) continue
        const base = value
        const label = name ?? t.v
        value = () => {
          const v = base()
          if (v === undefined || v === null) throw new Unresolved(`no ${t.v}`)
          const out = (v as Record<string, unknown>)[t.v]
          if (out === undefined) throw new Unresolved(`unknown ${label}`)
          return out
        }
      } else if (peek('[')) {
        pos++
        name = undefined
        const base = value
        const start = peek(':') ? undefined : ternary()
        if (peek(':')) {
          pos++
          const end = peek(']') ? undefined : ternary()
          take(']')
          value = () => (base() as unknown[]).slice(start === undefined ? 0 : (start() as number), end === undefined ? undefined : (end() as number))
          continue
        }
        take(']')
        value = () => {
          const v = base()
          if (v === undefined || v === null) throw new Unresolved('index of nothing')
          const index = start!()
          const out = Array.isArray(v) ? v[index as number] : (v as Record<string, unknown>)[String(index)]
          return out === undefined ? null : out
        }
      } else if (peek('(')) {
        pos++
        const args: Thunk[] = []
        while (!peek(')')) {
          args.push(ternary())
          if (peek(',')) pos++
        }
        pos++
        const fn = name === undefined ? undefined : FUNCTIONS[name]
        if (!fn) throw new Error(`unknown function ${String(name)}`)
        value = () => fn(...args.map((a) => a()))
        name = undefined
      } else return value
    }
  }
  const primary = (): [Thunk, string | undefined] => {
    const t = tokens[pos++]
    if (!t) throw new Error('unexpected end')
    if (t.t === 'num' || t.t === 'str') return [() => t.v, undefined]
    if (t.t === 'id') {
      if (t.v === 'true') return [() => true, undefined]
      if (t.v === 'false') return [() => false, undefined]
      if (t.v === 'nil') return [() => null, undefined]
      if (FUNCTIONS[t.v] !== undefined || t.v === 'sprig') return [() => undefined, t.v]
      return [
        () => {
          if (!(t.v in env)) throw new Unresolved(`unknown ${t.v}`)
          return env[t.v]
        },
        t.v,
      ]
    }
    if (t.v === '(') {
      const v = ternary()
      take(')')
      return [v, undefined]
    }
    if (t.v === '[') {
      const items: Thunk[] = []
      while (!peek(']')) {
        items.push(ternary())
        if (peek(',')) pos++
      }
      pos++
      return [() => items.map((i) => i()), undefined]
    }
    if (t.v === '{') {
      const entries: [Thunk, Thunk][] = []
      while (!peek('}')) {
        const key = ternary()
        take(':')
        entries.push([key, ternary()])
        if (peek(',')) pos++
      }
      pos++
      return [() => Object.fromEntries(entries.map(([k, v]) => [String(k()), v()])), undefined]
    }
    throw new Error(`unexpected ${t.v}`)
  }
  const result = ternary()
  if (pos !== tokens.length) throw new Error(`trailing tokens at ${pos}`)
  return result()
}

/** Substitutes a template (as JSON) `passes` times with the same variables. */
export function argoSubstitute<T>(value: T, vars: ReadonlyMap<string, string>, passes: number): T {
  let json = JSON.stringify(value)
  for (let p = 0; p < passes; p++) json = argoPass(json, vars)
  return JSON.parse(json) as T
}

/** The kubelet's `expansion.Expand` (k8s.io/kubernetes third_party/forked/golang/expansion). */
export function kubeletExpand(input: string, env: ReadonlyMap<string, string>): string {
  let buf = ''
  let checkpoint = 0
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue
    buf += input.slice(checkpoint, cursor)
    const rest = input.slice(cursor + 1)
    let advance = 1
    if (rest[0] === '$') buf += '$'
    else if (rest[0] === '(') {
      const close = rest.indexOf(')', 1)
      if (close < 0) buf += '$('
      else {
        const name = rest.slice(1, close)
        buf += env.get(name) ?? `$(${name})`
        advance = close + 1
      }
    } else buf += `$${rest[0]!}`
    cursor += advance
    checkpoint = cursor + 1
  }
  return buf + input.slice(checkpoint)
}

/** Env of a container as the kubelet builds it: each value expanded against the ones before it. */
export function containerEnv(env: readonly { name: string; value: string }[]): Map<string, string> {
  const out = new Map<string, string>()
  for (const e of env) out.set(e.name, kubeletExpand(e.value, out))
  return out
}
