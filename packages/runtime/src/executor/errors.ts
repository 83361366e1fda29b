/**
 * Errors of the in-container executor. They carry messages meant for the person reading the
 * pod's log: which input or output, what was expected, what arrived.
 *
 * @module
 */

/**
 * A protocol or typing problem found by the executor (bad `--executor_input`, an input of the
 * wrong type, a wrong output, a missing output artifact). The entry prints only its message and
 * exits with code 1 (the stack is printed only with `TYPEFLOW_DEBUG=1`).
 *
 * @example
 * ```ts
 * throw new ExecutorError('input "n" expects NUMBER_INTEGER (an integer), got "three" (a string)')
 * ```
 */
export class ExecutorError extends Error {
  override name = 'ExecutorError'
}

/**
 * The component's own function threw (or rejected). `message` is
 * `component "<name>" failed: <the error's message>`; `cause` is what the function threw.
 *
 * @example
 * ```ts
 * try { await execute(fn, spec, invocation, { name: 'train' }) }
 * catch (e) { if (e instanceof ComponentFailedError) console.error(e.message, e.cause) }
 * ```
 */
export class ComponentFailedError extends ExecutorError {
  override name = 'ComponentFailedError'
  readonly component: string

  constructor(component: string, cause: unknown, phase: 'run' | 'load' = 'run') {
    super(`component "${component}" ${phase === 'load' ? 'failed to load' : 'failed'}: ${messageOf(cause)}`, { cause })
    this.component = component
  }
}

/**
 * The message of anything thrown: `Error.message`, or the value itself rendered as text.
 *
 * @example
 * ```ts
 * messageOf(new Error('boom')) // 'boom'
 * messageOf({ code: 3 }) // '{"code":3} (an object)'
 * ```
 */
export function messageOf(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message || thrown.name
  if (typeof thrown === 'string') return thrown
  return describeValue(thrown)
}

/**
 * A short, readable rendering of a value for error messages (JSON, cut at 80 characters, and its kind).
 *
 * @example
 * ```ts
 * describeValue('three') // '"three" (a string)'
 * describeValue(2.5) // '2.5 (a non-integer number)'
 * ```
 */
export function describeValue(value: unknown): string {
  return `${preview(value)} (${kindOf(value)})`
}

/** What kind of value this is, in words. */
function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN'
    if (!Number.isFinite(value)) return 'an infinite number'
    return Number.isInteger(value) ? 'an integer' : 'a non-integer number'
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown
    if (proto === Object.prototype || proto === null) return 'an object'
    const ctor = (value as { constructor?: { name?: unknown } }).constructor?.name
    return typeof ctor === 'string' && ctor !== '' ? `a ${ctor}` : 'an object'
  }
  return `a ${typeof value}`
}

function preview(value: unknown): string {
  let text: string
  try {
    text =
      typeof value === 'bigint'
        ? `${value}n`
        : typeof value === 'function'
          ? `[function ${value.name || 'anonymous'}]`
          : typeof value === 'symbol'
            ? value.toString()
            : value === undefined || (typeof value === 'number' && !Number.isFinite(value))
              ? String(value)
              : (JSON.stringify(value) ?? String(value))
  } catch {
    text = String(value)
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}
