/**
 * The in-container entry of a function component: parses the command line, loads the shipped
 * function module, runs {@link execute}, and turns failures into a readable message on stderr and
 * exit code 1.
 *
 * Command line (after the packaged code, see `package.ts`):
 * - KFP: `--component <name> --executor_input <ExecutorInput JSON>`
 * - Argo: `--component <name> [--param name=value]… [--param-file name=path]… [--input-artifact name=path]…
 *   [--output-param name=path]… [--output-artifact name=path]… [--executor_output path]`
 *
 * Set `TYPEFLOW_DEBUG=1` to get full stack traces.
 *
 * @module
 */
import { fileURLToPath } from 'node:url'
import { ComponentFailedError, ExecutorError, messageOf } from './errors.ts'
import { execute } from './execute.ts'
import type { ComponentInterface, Invocation } from './execute.ts'

/**
 * What a packaged component carries besides its code: its name and typed interface.
 *
 * @example
 * ```ts
 * const shipped: ShippedComponent = { name: 'add', inputs: { a: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false } }, outputs: {} }
 * ```
 */
export interface ShippedComponent extends ComponentInterface {
  readonly name: string
}

/**
 * The parsed command line of the executor.
 *
 * @example
 * ```ts
 * const { component, invocation }: ExecutorArgs = parseExecutorArgs(argv)
 * ```
 */
export interface ExecutorArgs {
  /** `--component <name>`, when given. */
  readonly component: string | undefined
  readonly invocation: Invocation
}

const ARGO_FLAGS = {
  '--param': 'parameters',
  '--param-file': 'parameterFiles',
  '--input-artifact': 'inputArtifacts',
  '--output-param': 'outputParameters',
  '--output-artifact': 'outputArtifacts',
} as const

/**
 * Parses the executor's command line: `--executor_input <json>` selects KFP mode; otherwise the
 * Argo flags (`--param`, `--param-file`, `--input-artifact` (repeatable for a list input), `--output-param`,
 * `--output-artifact`, `--executor_output`) describe the invocation. Both accept
 * `--flag value` and `--flag=value`.
 *
 * @throws {ExecutorError} on an unknown flag, a missing value, or a `name=value` without `=`.
 * @example
 * ```ts
 * parseExecutorArgs(['--component', 'train', '--executor_input', '{"inputs":{}}'])
 * // { component: 'train', invocation: { mode: 'kfp', executorInput: '{"inputs":{}}' } }
 * parseExecutorArgs(['--param', 'n=3', '--output-param', 'count=/tmp/outputs/count'])
 * // { component: undefined, invocation: { mode: 'argo', parameters: { n: '3' }, outputParameters: { count: '/tmp/outputs/count' }, … } }
 * ```
 */
export function parseExecutorArgs(argv: readonly string[]): ExecutorArgs {
  let component: string | undefined
  let executorInput: string | undefined
  let executorOutputFile: string | undefined
  const argo = {
    parameters: {} as Record<string, string>,
    parameterFiles: {} as Record<string, string>,
    inputArtifacts: {} as Record<string, string[]>,
    outputParameters: {} as Record<string, string>,
    outputArtifacts: {} as Record<string, string>,
  }
  let sawArgoFlag = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    const eq = arg.indexOf('=')
    const flag = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg
    let value: string
    if (flag !== arg) value = arg.slice(eq + 1)
    else {
      const next = argv[i + 1]
      if (!arg.startsWith('--')) throw new ExecutorError(`unexpected argument ${JSON.stringify(arg.slice(0, 80))}; ${USAGE}`)
      if (next === undefined) throw new ExecutorError(`${arg} needs a value; ${USAGE}`)
      value = next
      i++
    }
    if (flag === '--component') component = value
    else if (flag === '--executor_input') executorInput = value
    else if (flag === '--executor_output') executorOutputFile = value
    else if (Object.hasOwn(ARGO_FLAGS, flag)) {
      sawArgoFlag = true
      const sep = value.indexOf('=')
      if (sep <= 0) throw new ExecutorError(`${flag} expects name=value, got ${JSON.stringify(value.slice(0, 80))}`)
      const name = value.slice(0, sep)
      const given = value.slice(sep + 1)
      const field = ARGO_FLAGS[flag as keyof typeof ARGO_FLAGS]
      if (field === 'inputArtifacts') (argo.inputArtifacts[name] ??= []).push(given)
      else {
        if (Object.hasOwn(argo[field], name)) throw new ExecutorError(`${flag} ${name} is given twice`)
        argo[field][name] = given
      }
    } else throw new ExecutorError(`unknown flag ${flag}; ${USAGE}`)
  }
  if (executorInput !== undefined) {
    if (sawArgoFlag || executorOutputFile !== undefined) throw new ExecutorError('--executor_input (KFP) cannot be combined with the Argo flags')
    return { component, invocation: { mode: 'kfp', executorInput } }
  }
  const { parameterFiles, ...rest } = argo
  return {
    component,
    invocation: {
      mode: 'argo',
      ...rest,
      ...(Object.keys(parameterFiles).length === 0 ? {} : { parameterFiles }),
      ...(executorOutputFile === undefined ? {} : { executorOutputFile }),
    },
  }
}

const USAGE =
  'usage: --component <name> (--executor_input <json> | [--param name=value]… [--param-file name=path]… [--input-artifact name=path]… [--output-param name=path]… [--output-artifact name=path]… [--executor_output path])'

/**
 * Options of {@link runComponent}.
 *
 * @example
 * ```ts
 * const options: RunComponentOptions = { argv, component: shipped, load: () => import(url), env: { TYPEFLOW_DEBUG: '1' } }
 * ```
 */
export interface RunComponentOptions {
  /** The executor's command line (after the packaged code). */
  readonly argv: readonly string[]
  /** The component's name and interface as shipped. */
  readonly component: ShippedComponent
  /** Loads the function module; its default export is the function. */
  readonly load: () => Promise<unknown>
  /** Where messages go. @default process.stderr */
  readonly stderr?: { write(text: string): unknown }
  /** Environment (for `TYPEFLOW_DEBUG`, `TYPEFLOW_LOCAL_ROOT`). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>
}

/**
 * Runs a shipped component from its command line and returns the process exit code (0 or 1),
 * having printed any failure: an {@link ExecutorError} as one readable line, a failure of the
 * function as `component "<name>" failed: <message>` followed by the function's own stack frames.
 * With `TYPEFLOW_DEBUG=1` full stacks are printed.
 *
 * @example
 * ```ts
 * const code = await runComponent({
 *   argv: ['--executor_input', json],
 *   component: { name: 'add', inputs, outputs },
 *   load: () => import('./add.mjs'),
 * })
 * process.exit(code)
 * ```
 */
export async function runComponent(options: RunComponentOptions): Promise<number> {
  const env = options.env ?? process.env
  const stderr = options.stderr ?? process.stderr
  const debug = env['TYPEFLOW_DEBUG'] === '1' || env['TYPEFLOW_DEBUG'] === 'true'
  let name = options.component.name
  try {
    const { component, invocation } = parseExecutorArgs(options.argv)
    name = component ?? name
    let fn: unknown
    try {
      const mod = (await options.load()) as { default?: unknown } | undefined
      fn = mod?.default
    } catch (error) {
      throw new ComponentFailedError(name, error, 'load')
    }
    if (typeof fn !== 'function') throw new ExecutorError(`the code of component "${name}" has no default-exported function (got ${typeof fn})`)
    const localRoot = env['TYPEFLOW_LOCAL_ROOT']
    await execute(fn as (args: unknown) => unknown, options.component, invocation, { name, ...(localRoot === undefined ? {} : { localRoot }) })
    return 0
  } catch (error) {
    stderr.write(formatFailure(error, name, debug) + '\n')
    return 1
  }
}

/**
 * The text printed for a failure: an {@link ExecutorError}'s message prefixed with the component
 * name; a {@link ComponentFailedError}'s message with the user's stack frames (and causes); any
 * other error as an internal error. `debug` adds full stacks.
 *
 * @example
 * ```ts
 * formatFailure(new ExecutorError('input "n" expects …'), 'train', false) // 'component "train": input "n" expects …'
 * ```
 */
export function formatFailure(error: unknown, name: string, debug: boolean): string {
  if (error instanceof ComponentFailedError) {
    const lines = [error.message]
    let cause: unknown = error.cause
    let first = true
    while (cause !== undefined) {
      if (!first) lines.push(`caused by: ${messageOf(cause)}`)
      if (cause instanceof Error && typeof cause.stack === 'string') lines.push(...(debug ? stackFrames(cause.stack) : userFrames(cause.stack)))
      first = false
      cause = cause instanceof Error ? cause.cause : undefined
    }
    if (debug && error.stack) lines.push('executor stack:', ...stackFrames(error.stack))
    return lines.join('\n')
  }
  if (error instanceof ExecutorError) {
    const text = `component "${name}": ${error.message}`
    return debug && error.stack ? `${text}\n${stackFrames(error.stack).join('\n')}` : text
  }
  const text = `component "${name}": internal error in the Typeflow executor: ${messageOf(error)}`
  return debug && error instanceof Error && error.stack ? `${text}\n${stackFrames(error.stack).join('\n')}` : text
}

function stackFrames(stack: string): string[] {
  return stack.split('\n').filter((line) => /^\s+at /.test(line))
}

/** Files of the executor itself (dropped from user-facing stacks). */
const EXECUTOR_FILES = executorFiles()

function executorFiles(): string[] {
  const url = import.meta.url
  try {
    if (!url.startsWith('file:')) return [url]
    const execute = new URL('./execute.ts', url)
    return [url, fileURLToPath(url), execute.href, fileURLToPath(execute)]
  } catch {
    return [url]
  }
}

function userFrames(stack: string): string[] {
  return stackFrames(stack)
    .filter((line) => !line.includes('node:internal') && !line.includes('[eval]') && !EXECUTOR_FILES.some((file) => line.includes(`${file}:`)))
    .map((line) => line.replace(/data:text\/javascript;base64,[A-Za-z0-9+/=]{64,}/g, '<component module>'))
}

/**
 * Options of {@link run}, the bootstrap's entry.
 *
 * @example
 * ```ts
 * const options: RunOptions = { argv: ['--executor_input', json], componentUrl: 'file:///tmp/typeflow-x/add.mjs', component: shipped }
 * ```
 */
export interface RunOptions {
  /** The executor's command line (after the packaged code). */
  readonly argv: readonly string[]
  /** URL of the function module (`file:` or `data:`). */
  readonly componentUrl: string
  readonly component: ShippedComponent
}

/**
 * The entry the packaged bootstrap calls: runs the component and ends the process with its exit
 * code (explicitly, so a stray timer or socket left open by the function cannot keep the pod
 * running).
 *
 * @example
 * ```ts
 * const { run } = await import(executorUrl)
 * await run({ argv: process.argv.slice(k), componentUrl, component: { name, inputs, outputs } })
 * ```
 */
export async function run(options: RunOptions): Promise<never> {
  // A function whose promise never settles, with nothing left to wait on, would otherwise let
  // Node exit with code 0 and no outputs.
  const stalled = () => {
    process.stderr.write(`component "${options.component.name}" failed: its function never finished (its promise was still pending with nothing left to wait on)\n`)
    process.exit(1)
  }
  process.once('beforeExit', stalled)
  process.exitCode = 1
  const code = await runComponent({ argv: options.argv, component: options.component, load: () => import(options.componentUrl) })
  process.off('beforeExit', stalled)
  process.exit(code)
}
