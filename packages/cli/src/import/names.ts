/**
 * Identifier rules for generated modules: camelCase names that are valid, unique in their scope
 * and never reserved words.
 *
 * @module
 */

/** Words TypeScript reserves (strict mode and contextual keywords that would read badly as names). */
const RESERVED = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum',
  'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null',
  'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'as',
  'implements', 'interface', 'let', 'package', 'private', 'protected', 'public', 'static', 'yield', 'any',
  'boolean', 'constructor', 'declare', 'get', 'module', 'require', 'number', 'set', 'string', 'symbol', 'type',
  'from', 'of', 'await', 'async', 'undefined', 'never', 'unknown', 'object', 'keyof', 'readonly', 'satisfies',
  'arguments', 'eval', 'NaN', 'Infinity', 'globalThis', 'Object', 'Array', 'String', 'Number', 'Boolean',
  'Symbol', 'Promise', 'Map', 'Set', 'Error', 'JSON', 'Math', 'Date', 'RegExp', 'process', 'console',
])

/**
 * True when `name` can be written as a bare identifier (or property name) in TypeScript.
 *
 * @example
 * ```ts
 * import { isIdentifier } from './names.ts'
 * isIdentifier('op_1') // true
 * isIdentifier('my-input') // false: written as inputs['my-input']
 * ```
 */
export function isIdentifier(name: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)
}

/**
 * A camelCase identifier for any name; always valid (reserved words get a suffix from the
 * caller's {@link NameScope}).
 *
 * @example
 * ```ts
 * import { camelCase } from './names.ts'
 * camelCase('print-op-2') // 'printOp2'
 * camelCase('Train model') // 'trainModel'
 * camelCase('0-to-9') // 'n0To9'
 * ```
 */
export function camelCase(text: string, fallback = 'value'): string {
  const words = text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
  if (words.length === 0) return fallback
  const joined = words
    .map((w, i) => {
      const lower = w.toLowerCase()
      return i === 0 ? lower : lower.charAt(0).toUpperCase() + lower.slice(1)
    })
    .join('')
  return /^[0-9]/.test(joined) ? `n${joined}` : joined
}

/**
 * A PascalCase identifier, for artifact types.
 *
 * @example
 * ```ts
 * import { pascalCase } from './names.ts'
 * pascalCase('VertexModel') // 'VertexModel'
 * pascalCase('feature-set') // 'FeatureSet'
 * ```
 */
export function pascalCase(text: string, fallback = 'Type'): string {
  const camel = camelCase(text, fallback)
  return camel.charAt(0).toUpperCase() + camel.slice(1)
}

/**
 * Hands out identifiers unique within a scope and its parents.
 *
 * @example
 * ```ts
 * import { NameScope } from './names.ts'
 * const scope = new NameScope()
 * scope.unique('add') // 'add'
 * scope.unique('add', 'Task') // 'addTask'
 * scope.unique('default') // 'default_'
 * ```
 */
export class NameScope {
  private readonly taken = new Set<string>()
  constructor(private readonly parent?: NameScope) {}

  has(name: string): boolean {
    return this.taken.has(name) || (this.parent?.has(name) ?? false)
  }

  /** Marks a name as used (an import, a parameter). */
  reserve(name: string): string {
    this.taken.add(name)
    return name
  }

  /**
   * The first free name among `base`, `baseSuffix`, `base2`, `base3` … (`baseSuffix` or `base_`
   * first when `base` is reserved). Names in `avoid` are treated as taken.
   */
  unique(base: string, suffix = '', avoid: ReadonlySet<string> = new Set()): string {
    const free = (name: string) => !RESERVED.has(name) && !avoid.has(name) && !this.has(name)
    if (free(base)) return this.reserve(base)
    if (suffix && free(`${base}${suffix}`)) return this.reserve(`${base}${suffix}`)
    if (!suffix && RESERVED.has(base) && free(`${base}_`)) return this.reserve(`${base}_`)
    for (let i = 2; ; i++) if (free(`${base}${i}`)) return this.reserve(`${base}${i}`)
  }

  child(): NameScope {
    return new NameScope(this)
  }
}

/**
 * Natural order: numbers inside names compare as numbers.
 *
 * @example
 * ```ts
 * import { naturalCompare } from './names.ts'
 * ['print-op-10', 'print-op-2', 'print-op'].sort(naturalCompare) // ['print-op', 'print-op-2', 'print-op-10']
 * ```
 */
export function naturalCompare(a: string, b: string): number {
  const pa = a.split(/(\d+)/)
  const pb = b.split(/(\d+)/)
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!
    const y = pb[i]!
    if (x === y) continue
    if (i % 2 === 1) return Number(x) - Number(y) || (x < y ? -1 : 1)
    return x < y ? -1 : 1
  }
  return pa.length - pb.length
}
