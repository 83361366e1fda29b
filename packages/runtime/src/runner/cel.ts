/**
 * A small evaluator for the subset of CEL (Common Expression Language) that KFP IR uses:
 * `triggerPolicy.condition` strings written by Typeflow and the KFP SDK, such as
 * `int(inputs.parameter_values['pipelinechannel--n']) > 3 && !(inputs.parameter_values['m'] == 'a')`,
 * and `parameterExpressionSelector`s such as `parseJson(string_value)["key"]`.
 *
 * Supported: string (`'…'`, `"…"`, with `\` escapes), number, `true`/`false`/`null` literals;
 * member access (`a.b`) and indexing (`a['k']`, `a[0]`); calls of `int`, `double`, `string`,
 * `bool`, `size`, `parseJson`; unary `!` and `-`; `* / %`, `+ -`; `== != < <= > >=`, `in`;
 * `&&`, `||`; `?:`; parentheses. A hand-written tokenizer and recursive-descent parser: no `eval`.
 *
 * @module
 */

/** A value a CEL expression works with: JSON. */
export type CelValue = null | boolean | number | string | readonly CelValue[] | { readonly [key: string]: CelValue }

/**
 * A parse or evaluation error, with the expression and the position it concerns.
 *
 * @example
 * ```ts
 * try { evaluateCel("1 +", {}) } catch (e) { if (e instanceof CelError) console.error(e.message) }
 * ```
 */
export class CelError extends Error {
  constructor(
    message: string,
    readonly expression: string,
    readonly position?: number,
  ) {
    super(position === undefined ? `${message} in CEL expression ${JSON.stringify(expression)}` : `${message} at position ${position} of CEL expression ${JSON.stringify(expression)}`)
    this.name = 'CelError'
  }
}

type Token =
  | { readonly kind: 'number'; readonly value: number; readonly pos: number }
  | { readonly kind: 'string'; readonly value: string; readonly pos: number }
  | { readonly kind: 'ident'; readonly value: string; readonly pos: number }
  | { readonly kind: 'op'; readonly value: string; readonly pos: number }
  | { readonly kind: 'end'; readonly pos: number }

const OPERATORS = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '!', '(', ')', '[', ']', '.', ',', '+', '-', '*', '/', '%', '?', ':']

function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < source.length) {
    const c = source[i]!
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (c === "'" || c === '"') {
      const quote = c
      const start = i
      i++
      let value = ''
      for (;;) {
        if (i >= source.length) throw new CelError('unterminated string', source, start)
        const ch = source[i]!
        if (ch === quote) {
          i++
          break
        }
        // As CEL defines quoted strings (and cel-go reads them): a line break must be escaped.
        if (ch === '\n' || ch === '\r') throw new CelError('line break in a quoted string (write \\n or \\r)', source, i)
        if (ch === '\\') {
          const next = source[i + 1]
          if (next === undefined) throw new CelError('unterminated string', source, start)
          const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '`': '`', '?': '?', a: '\x07', b: '\b', f: '\f', v: '\v' }
          if (next === 'u' || next === 'U' || next === 'x' || next === 'X') {
            const len = next === 'u' ? 4 : next === 'U' ? 8 : 2
            const hex = source.slice(i + 2, i + 2 + len)
            if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len || parseInt(hex, 16) > 0x10ffff) throw new CelError('bad escape', source, i)
            value += String.fromCodePoint(parseInt(hex, 16))
            i += 2 + len
            continue
          }
          const octal = /^[0-3][0-7]{2}/.exec(source.slice(i + 1, i + 4))
          if (octal) {
            value += String.fromCharCode(parseInt(octal[0], 8))
            i += 4
            continue
          }
          const escaped = escapes[next]
          if (escaped === undefined) throw new CelError(`unknown escape \\${next}`, source, i)
          value += escaped
          i += 2
          continue
        }
        value += ch
        i++
      }
      tokens.push({ kind: 'string', value, pos: start })
      continue
    }
    const number = /^(?:\d+\.\d*(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)[uU]?/.exec(source.slice(i))
    if (number && /[\d.]/.test(c) && !(c === '.' && !/\d/.test(source[i + 1] ?? ''))) {
      tokens.push({ kind: 'number', value: Number(number[0].replace(/[uU]$/, '')), pos: i })
      i += number[0].length
      continue
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))
    if (ident) {
      tokens.push({ kind: 'ident', value: ident[0], pos: i })
      i += ident[0].length
      continue
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i))
    if (op === undefined) throw new CelError(`unexpected character ${JSON.stringify(c)}`, source, i)
    tokens.push({ kind: 'op', value: op, pos: i })
    i += op.length
  }
  tokens.push({ kind: 'end', pos: source.length })
  return tokens
}

/** The parsed form of an expression. */
type Node =
  | { readonly kind: 'literal'; readonly value: CelValue }
  | { readonly kind: 'ident'; readonly name: string; readonly pos: number }
  | { readonly kind: 'member'; readonly object: Node; readonly name: string; readonly pos: number }
  | { readonly kind: 'index'; readonly object: Node; readonly index: Node; readonly pos: number }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Node[]; readonly pos: number }
  | { readonly kind: 'unary'; readonly op: string; readonly operand: Node; readonly pos: number }
  | { readonly kind: 'binary'; readonly op: string; readonly left: Node; readonly right: Node; readonly pos: number }
  | { readonly kind: 'ternary'; readonly test: Node; readonly then: Node; readonly otherwise: Node }
  | { readonly kind: 'list'; readonly items: readonly Node[] }

class Parser {
  private at = 0
  constructor(
    private readonly tokens: readonly Token[],
    private readonly source: string,
  ) {}

  private peek(): Token {
    return this.tokens[this.at]!
  }
  private isOp(value: string): boolean {
    const t = this.peek()
    return t.kind === 'op' && t.value === value
  }
  private expectOp(value: string): void {
    const t = this.peek()
    if (t.kind !== 'op' || t.value !== value) throw new CelError(`expected '${value}'`, this.source, t.pos)
    this.at++
  }

  parse(): Node {
    const node = this.ternary()
    const t = this.peek()
    if (t.kind !== 'end') throw new CelError('unexpected input', this.source, t.pos)
    return node
  }

  private ternary(): Node {
    const test = this.or()
    if (!this.isOp('?')) return test
    this.at++
    const then = this.or()
    this.expectOp(':')
    const otherwise = this.ternary()
    return { kind: 'ternary', test, then, otherwise }
  }

  private binaryLevel(next: () => Node, ops: readonly string[]): Node {
    let left = next()
    for (;;) {
      const t = this.peek()
      const op = t.kind === 'op' && ops.includes(t.value) ? t.value : t.kind === 'ident' && t.value === 'in' && ops.includes('in') ? 'in' : undefined
      if (op === undefined) return left
      this.at++
      const right = next()
      left = { kind: 'binary', op, left, right, pos: t.pos }
    }
  }

  private or(): Node {
    return this.binaryLevel(() => this.and(), ['||'])
  }
  private and(): Node {
    return this.binaryLevel(() => this.relation(), ['&&'])
  }
  private relation(): Node {
    return this.binaryLevel(() => this.additive(), ['==', '!=', '<', '<=', '>', '>=', 'in'])
  }
  private additive(): Node {
    return this.binaryLevel(() => this.multiplicative(), ['+', '-'])
  }
  private multiplicative(): Node {
    return this.binaryLevel(() => this.unary(), ['*', '/', '%'])
  }

  private unary(): Node {
    const t = this.peek()
    if (t.kind === 'op' && (t.value === '!' || t.value === '-')) {
      this.at++
      return { kind: 'unary', op: t.value, operand: this.unary(), pos: t.pos }
    }
    return this.postfix()
  }

  private postfix(): Node {
    let node = this.primary()
    for (;;) {
      const t = this.peek()
      if (t.kind === 'op' && t.value === '.') {
        this.at++
        const name = this.peek()
        if (name.kind !== 'ident') throw new CelError('expected a field name', this.source, name.pos)
        this.at++
        node = { kind: 'member', object: node, name: name.value, pos: name.pos }
      } else if (t.kind === 'op' && t.value === '[') {
        this.at++
        const index = this.ternary()
        this.expectOp(']')
        node = { kind: 'index', object: node, index, pos: t.pos }
      } else {
        return node
      }
    }
  }

  private primary(): Node {
    const t = this.peek()
    this.at++
    switch (t.kind) {
      case 'number':
      case 'string':
        return { kind: 'literal', value: t.value }
      case 'ident': {
        if (t.value === 'true') return { kind: 'literal', value: true }
        if (t.value === 'false') return { kind: 'literal', value: false }
        if (t.value === 'null') return { kind: 'literal', value: null }
        if (this.isOp('(')) {
          this.at++
          const args: Node[] = []
          if (!this.isOp(')')) {
            args.push(this.ternary())
            while (this.isOp(',')) {
              this.at++
              args.push(this.ternary())
            }
          }
          this.expectOp(')')
          return { kind: 'call', name: t.value, args, pos: t.pos }
        }
        return { kind: 'ident', name: t.value, pos: t.pos }
      }
      case 'op':
        if (t.value === '(') {
          const inner = this.ternary()
          this.expectOp(')')
          return inner
        }
        if (t.value === '[') {
          const items: Node[] = []
          if (!this.isOp(']')) {
            items.push(this.ternary())
            while (this.isOp(',')) {
              this.at++
              items.push(this.ternary())
            }
          }
          this.expectOp(']')
          return { kind: 'list', items }
        }
        throw new CelError(`unexpected '${t.value}'`, this.source, t.pos)
      case 'end':
        throw new CelError('unexpected end of expression', this.source, t.pos)
    }
  }
}

function typeName(value: CelValue | undefined): string {
  if (value === undefined) return 'missing value'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'list'
  return typeof value === 'object' ? 'map' : typeof value
}

function deepEqual(a: CelValue, b: CelValue): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) {
    const bl = b as readonly CelValue[]
    return a.length === bl.length && a.every((item, i) => deepEqual(item, bl[i]!))
  }
  const ao = a as Record<string, CelValue>
  const bo = b as Record<string, CelValue>
  const keys = Object.keys(ao)
  return keys.length === Object.keys(bo).length && keys.every((k) => Object.hasOwn(bo, k) && deepEqual(ao[k]!, bo[k]!))
}

class Evaluator {
  constructor(
    private readonly source: string,
    private readonly env: Readonly<Record<string, CelValue>>,
  ) {}

  private fail(message: string, pos?: number): never {
    throw new CelError(message, this.source, pos)
  }

  evaluate(node: Node): CelValue {
    switch (node.kind) {
      case 'literal':
        return node.value
      case 'list':
        return node.items.map((item) => this.evaluate(item))
      case 'ident': {
        if (!Object.hasOwn(this.env, node.name)) this.fail(`unknown name "${node.name}"`, node.pos)
        return this.env[node.name]!
      }
      case 'member':
        return this.select(this.evaluate(node.object), node.name, node.pos)
      case 'index': {
        const object = this.evaluate(node.object)
        const index = this.evaluate(node.index)
        if (Array.isArray(object)) {
          if (typeof index !== 'number' || !Number.isInteger(index)) this.fail(`a list index must be an integer, got ${typeName(index)}`, node.pos)
          const i = index < 0 ? index + object.length : index
          if (i < 0 || i >= object.length) this.fail(`index ${index} out of range (list of ${object.length})`, node.pos)
          return object[i]!
        }
        if (typeof index !== 'string') this.fail(`a map key must be a string, got ${typeName(index)}`, node.pos)
        return this.select(object, index, node.pos)
      }
      case 'call':
        return this.call(node.name, node.args.map((a) => this.evaluate(a)), node.pos)
      case 'unary': {
        if (node.op === '!') return !this.bool(this.evaluate(node.operand), node.pos)
        return -this.number(this.evaluate(node.operand), node.pos)
      }
      case 'ternary':
        return this.bool(this.evaluate(node.test)) ? this.evaluate(node.then) : this.evaluate(node.otherwise)
      case 'binary':
        return this.binary(node)
    }
  }

  private select(object: CelValue, key: string, pos: number): CelValue {
    if (object === null || typeof object !== 'object' || Array.isArray(object)) this.fail(`cannot read "${key}" of ${typeName(object)}`, pos)
    const map = object as Record<string, CelValue>
    if (!Object.hasOwn(map, key)) this.fail(`no such key: "${key}"`, pos)
    return map[key]!
  }

  private bool(value: CelValue, pos?: number): boolean {
    if (typeof value !== 'boolean') this.fail(`expected a bool, got ${typeName(value)}`, pos)
    return value
  }

  private number(value: CelValue, pos?: number): number {
    if (typeof value !== 'number') this.fail(`expected a number, got ${typeName(value)}`, pos)
    return value
  }

  private binary(node: Extract<Node, { kind: 'binary' }>): CelValue {
    if (node.op === '&&') {
      // CEL's commutative short-circuit: false wins even over an error on the other side.
      const left = this.tryEvaluate(node.left)
      if (left.ok && left.value === false) return false
      const right = this.tryEvaluate(node.right)
      if (right.ok && right.value === false) return false
      return this.bool(this.unwrap(left), node.pos) && this.bool(this.unwrap(right), node.pos)
    }
    if (node.op === '||') {
      const left = this.tryEvaluate(node.left)
      if (left.ok && left.value === true) return true
      const right = this.tryEvaluate(node.right)
      if (right.ok && right.value === true) return true
      return this.bool(this.unwrap(left), node.pos) || this.bool(this.unwrap(right), node.pos)
    }
    const left = this.evaluate(node.left)
    const right = this.evaluate(node.right)
    switch (node.op) {
      case '==':
        return deepEqual(left, right)
      case '!=':
        return !deepEqual(left, right)
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const comparable = (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string') || (typeof left === 'boolean' && typeof right === 'boolean')
        if (!comparable) this.fail(`cannot compare ${typeName(left)} ${node.op} ${typeName(right)}`, node.pos)
        const l = left as number | string
        const r = right as number | string
        return node.op === '<' ? l < r : node.op === '<=' ? l <= r : node.op === '>' ? l > r : l >= r
      }
      case 'in':
        if (Array.isArray(right)) return right.some((item) => deepEqual(item, left))
        if (right !== null && typeof right === 'object') return typeof left === 'string' && Object.hasOwn(right, left)
        return this.fail(`"in" needs a list or map on the right, got ${typeName(right)}`, node.pos)
      case '+':
        if (typeof left === 'string' && typeof right === 'string') return left + right
        if (Array.isArray(left) && Array.isArray(right)) return [...left, ...right]
        return this.number(left, node.pos) + this.number(right, node.pos)
      case '-':
        return this.number(left, node.pos) - this.number(right, node.pos)
      case '*':
        return this.number(left, node.pos) * this.number(right, node.pos)
      case '/': {
        const divisor = this.number(right, node.pos)
        if (divisor === 0) this.fail('division by zero', node.pos)
        return this.number(left, node.pos) / divisor
      }
      case '%': {
        const divisor = this.number(right, node.pos)
        if (divisor === 0) this.fail('modulus by zero', node.pos)
        return this.number(left, node.pos) % divisor
      }
    }
    return this.fail(`unknown operator ${node.op}`, node.pos)
  }

  private tryEvaluate(node: Node): { ok: true; value: CelValue } | { ok: false; error: unknown } {
    try {
      return { ok: true, value: this.evaluate(node) }
    } catch (error) {
      return { ok: false, error }
    }
  }

  private unwrap(result: { ok: true; value: CelValue } | { ok: false; error: unknown }): CelValue {
    if (result.ok) return result.value
    throw result.error
  }

  private call(name: string, args: readonly CelValue[], pos: number): CelValue {
    const one = (): CelValue => {
      if (args.length !== 1) this.fail(`${name}() takes one argument, got ${args.length}`, pos)
      return args[0]!
    }
    switch (name) {
      case 'int': {
        const v = one()
        if (typeof v === 'number') {
          if (!Number.isFinite(v)) this.fail(`int() of ${v}`, pos)
          return Math.trunc(v)
        }
        if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return Number(v.trim())
        if (typeof v === 'boolean') return v ? 1 : 0
        return this.fail(`int() cannot convert ${typeName(v)} ${JSON.stringify(v)}`, pos)
      }
      case 'uint': {
        const v = this.call('int', args, pos) as number
        if (v < 0) this.fail(`uint() of a negative number`, pos)
        return v
      }
      case 'double': {
        const v = one()
        if (typeof v === 'number') return v
        if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v)
        return this.fail(`double() cannot convert ${typeName(v)} ${JSON.stringify(v)}`, pos)
      }
      case 'string': {
        const v = one()
        if (typeof v === 'string') return v
        if (typeof v === 'number' || typeof v === 'boolean') return String(v)
        return JSON.stringify(v)
      }
      case 'bool': {
        const v = one()
        if (typeof v === 'boolean') return v
        if (typeof v === 'string' && ['true', 'True', 'TRUE', 't', '1'].includes(v)) return true
        if (typeof v === 'string' && ['false', 'False', 'FALSE', 'f', '0'].includes(v)) return false
        return this.fail(`bool() cannot convert ${typeName(v)} ${JSON.stringify(v)}`, pos)
      }
      case 'size': {
        const v = one()
        if (typeof v === 'string') return [...v].length
        if (Array.isArray(v)) return v.length
        if (v !== null && typeof v === 'object') return Object.keys(v).length
        return this.fail(`size() of ${typeName(v)}`, pos)
      }
      case 'parseJson': {
        const v = one()
        if (typeof v !== 'string') return v
        try {
          return JSON.parse(v) as CelValue
        } catch (error) {
          return this.fail(`parseJson(): ${(error as Error).message}`, pos)
        }
      }
      default:
        return this.fail(`unknown function ${name}()`, pos)
    }
  }
}

const parsed = new Map<string, Node>()

function parseCached(expression: string): Node {
  let node = parsed.get(expression)
  if (!node) {
    node = new Parser(tokenize(expression), expression).parse()
    if (parsed.size > 1000) parsed.clear()
    parsed.set(expression, node)
  }
  return node
}

/**
 * Parses an expression without evaluating it (to report syntax errors early).
 *
 * @throws {CelError} on a syntax error.
 * @example
 * ```ts
 * checkCel("int(inputs.parameter_values['n']) > 3") // ok
 * checkCel('1 +') // throws CelError
 * ```
 */
export function checkCel(expression: string): void {
  parseCached(expression)
}

/**
 * Evaluates an expression against named variables.
 *
 * @throws {CelError} on a syntax error, an unknown name or function, or a type error.
 * @example
 * ```ts
 * evaluateCel("int(inputs.parameter_values['n']) > 3", { inputs: { parameter_values: { n: 5 } } }) // true
 * evaluateCel('parseJson(string_value)["a"]', { string_value: '{"a": 1}' }) // 1
 * ```
 */
export function evaluateCel(expression: string, env: Readonly<Record<string, CelValue>>): CelValue {
  return new Evaluator(expression, env).evaluate(parseCached(expression))
}

/**
 * Evaluates a `triggerPolicy.condition` against a task's resolved input parameters (the KFP
 * driver's environment: `inputs.parameter_values`). An empty condition is true.
 *
 * @throws {CelError} when the condition does not parse or does not give a bool.
 * @example
 * ```ts
 * evaluateCondition("inputs.parameter_values['pipelinechannel--side'] == 'heads'", { 'pipelinechannel--side': 'heads' }) // true
 * ```
 */
export function evaluateCondition(condition: string, parameterValues: Readonly<Record<string, unknown>>): boolean {
  if (condition.trim() === '') return true
  const result = evaluateCel(condition, { inputs: { parameter_values: parameterValues as Record<string, CelValue> } })
  if (typeof result !== 'boolean') throw new CelError(`a condition must give a bool, got ${typeName(result)}`, condition)
  return result
}

/**
 * Applies a `parameterExpressionSelector` (e.g. `parseJson(string_value)["field"]`) to a value,
 * with the variables the KFP driver provides: `string_value` (the value as a string; other
 * values as JSON), `number_value`, `bool_value`, `struct_value`, `list_value`.
 *
 * @throws {CelError} when the selector does not apply to the value.
 * @example
 * ```ts
 * selectParameter('parseJson(string_value)["a"]', { a: 1, b: 2 }) // 1
 * ```
 */
export function selectParameter(selector: string, value: unknown): CelValue {
  const v = value as CelValue
  const env: Record<string, CelValue> = {
    string_value: typeof v === 'string' ? v : JSON.stringify(v),
    number_value: typeof v === 'number' ? v : null,
    bool_value: typeof v === 'boolean' ? v : null,
    struct_value: v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null,
    list_value: Array.isArray(v) ? v : null,
  }
  return evaluateCel(selector, env)
}
