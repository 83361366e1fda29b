/**
 * Function components: a component whose body is a TypeScript function. The compiler ships the
 * function (and whatever it imports, bundled) inside a `node` command line, so the pod needs
 * nothing but a Node image.
 *
 * @module
 */
import type { ComponentDef } from './component.ts'
import { DslError } from './errors.ts'
import { refuseUnknownKeys } from './option-keys.ts'
import type { JsonValue } from './ir.ts'
import { callerLocation } from './source.ts'
import type { ArtifactSpec, InputSpecs, IsList, IsOptional, OutputSpecs, ParamSpec, ParamValue } from './types.ts'

/**
 * The image function components run on unless they choose one: any image with `node` ≥ 18 on
 * its PATH (and `npm`, when the component declares `packages`) works. Same value as the
 * runtime's `DEFAULT_FUNCTION_IMAGE`.
 *
 * @example
 * ```ts
 * import { DEFAULT_FUNCTION_IMAGE, functionComponent } from '@typeflow/dsl'
 * const hello = functionComponent({ name: 'hello' }, () => { console.log('hi') })
 * hello.image === DEFAULT_FUNCTION_IMAGE // true
 * ```
 */
export const DEFAULT_FUNCTION_IMAGE = 'node:22-slim'

/**
 * An input artifact as a function component receives it: its content is at `path` (a file or a
 * directory the orchestrator downloaded). You may read or write the file, but the artifact's
 * fields, metadata included, are read-only.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs'
 * import type { FunctionInputArtifact } from '@typeflow/dsl'
 * const rows = (data: FunctionInputArtifact) => readFileSync(data.path, 'utf8').split('\n').length
 * ```
 */
export interface FunctionInputArtifact {
  readonly path: string
  readonly uri: string
  readonly metadata: Readonly<Record<string, JsonValue>>
  /** The runtime artifact's name (KFP: its metadata-store id). */
  readonly name: string
  readonly schemaTitle: string
}

/**
 * An output artifact as a function component receives it: write a file or a directory at `path`
 * (its parent directory exists) and record facts about it in `metadata`.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs'
 * import type { FunctionOutputArtifact } from '@typeflow/dsl'
 * const save = (model: FunctionOutputArtifact) => {
 *   writeFileSync(model.path, '{}')
 *   model.metadata['framework'] = 'none'
 * }
 * ```
 */
export interface FunctionOutputArtifact {
  readonly path: string
  readonly uri: string
  metadata: Record<string, JsonValue>
  readonly name: string
  readonly schemaTitle: string
}

type Simplify<T> = { [K in keyof T]: T[K] } & {}

/**
 * What a function receives for one input: a value, an artifact, or a list of artifacts.
 *
 * @example
 * ```ts
 * import { artifact, Dataset, param, type FunctionInputValue } from '@typeflow/dsl'
 * const shards = artifact.list(Dataset)
 * const epochs = param.int()
 * type Shards = FunctionInputValue<typeof shards> // readonly FunctionInputArtifact[]
 * type Epochs = FunctionInputValue<typeof epochs> // number
 * ```
 */
export type FunctionInputValue<Spec> =
  Spec extends ArtifactSpec ? (IsList<Spec> extends true ? readonly FunctionInputArtifact[] : FunctionInputArtifact)
  : Spec extends ParamSpec ? ParamValue<Spec>
  : never

type RequiredInputKeys<I> = { [K in keyof I]-?: IsOptional<I[K]> extends true ? never : K }[keyof I]
type OptionalInputKeys<I> = Exclude<keyof I, RequiredInputKeys<I>>
type OutputArtifactKeys<O> = { [K in keyof O]-?: O[K] extends ArtifactSpec ? K : never }[keyof O]
type OutputParameterKeys<O> = { [K in keyof O]-?: O[K] extends ArtifactSpec ? never : O[K] extends ParamSpec ? K : never }[keyof O]
type RequiredOutputKeys<O> = { [K in OutputParameterKeys<O>]-?: IsOptional<O[K]> extends true ? never : K }[OutputParameterKeys<O>]

/**
 * The one argument a function component's function receives: every input under its name
 * (parameters as values, artifacts as {@link FunctionInputArtifact}s, artifact lists as arrays)
 * and every output artifact under its name, as a writable {@link FunctionOutputArtifact}.
 * Optional inputs may be absent: a spec's type does not record whether it has a default, so an
 * input declared with `default` is typed optional too (the executor does fill in the default).
 *
 * @example
 * ```ts
 * import { artifact, Model, param, type FunctionArgs } from '@typeflow/dsl'
 * const inputs = { epochs: param.int() }
 * const outputs = { model: artifact(Model), accuracy: param.float() }
 * type Args = FunctionArgs<typeof inputs, typeof outputs>
 * // { readonly epochs: number; readonly model: FunctionOutputArtifact }
 * ```
 */
export type FunctionArgs<I extends InputSpecs, O extends OutputSpecs> = Simplify<
  { readonly [K in RequiredInputKeys<I>]: FunctionInputValue<I[K]> } & {
    readonly [K in OptionalInputKeys<I>]?: FunctionInputValue<I[K]>
  } & { readonly [K in OutputArtifactKeys<O>]: FunctionOutputArtifact }
>

/**
 * What a function component's function returns: an object with its output parameters, or nothing
 * when it declares none (output artifacts are written to their `path` instead).
 *
 * @example
 * ```ts
 * import { artifact, Model, param, type FunctionResult } from '@typeflow/dsl'
 * const outputs = { model: artifact(Model), accuracy: param.float() }
 * const result: FunctionResult<typeof outputs> = { accuracy: 0.93 }
 * ```
 */
export type FunctionResult<O extends OutputSpecs> = [OutputParameterKeys<O>] extends [never]
  ? void | undefined
  : Simplify<
      { [K in RequiredOutputKeys<O>]: ParamValue<O[K]> } & {
        [K in Exclude<OutputParameterKeys<O>, RequiredOutputKeys<O>>]?: ParamValue<O[K]>
      }
    >

/**
 * The body of a function component; it may be `async`.
 *
 * @example
 * ```ts
 * import { param, type ComponentFunction } from '@typeflow/dsl'
 * const inputs = { a: param.int(), b: param.int() }
 * const outputs = { sum: param.int() }
 * const add: ComponentFunction<typeof inputs, typeof outputs> = async ({ a, b }) => ({ sum: a + b })
 * ```
 */
export type ComponentFunction<I extends InputSpecs, O extends OutputSpecs> = (
  args: FunctionArgs<I, O>,
) => FunctionResult<O> | Promise<FunctionResult<O>>

/**
 * Declaration of a function component (see {@link functionComponent}).
 *
 * @example
 * ```ts
 * import { param, type FunctionComponentConfig, type ParamSpec } from '@typeflow/dsl'
 * const config: FunctionComponentConfig<{ text: ParamSpec<string, false> }, {}> = {
 *   name: 'shout',
 *   inputs: { text: param.string() },
 *   image: 'node:22-slim',
 *   packages: ['left-pad@1.3.0'],
 * }
 * ```
 */
export interface FunctionComponentConfig<I extends InputSpecs, O extends OutputSpecs> {
  /** Component name; tasks default to it. */
  readonly name: string
  readonly description?: string
  /** @default {} */
  readonly inputs?: I
  /** @default {} */
  readonly outputs?: O
  /** An image with `node` ≥ 18 (and `npm` if `packages` is set). @default DEFAULT_FUNCTION_IMAGE */
  readonly image?: string
  /**
   * npm packages installed when the pod starts (`['lodash@4.17.21']`), for code too large or too
   * native to bundle. The pod then needs a registry. Anything else the function imports is
   * bundled at compile time, which is what air-gapped clusters need. @default []
   */
  readonly packages?: readonly string[]
}

/** @internal The keys of {@link FunctionComponentConfig}. */
export const FUNCTION_COMPONENT_CONFIG_KEYS = ['name', 'description', 'inputs', 'outputs', 'image', 'packages'] as const

// An npm registry spec: a (scoped) package name, optionally `@` and a version or range. No
// quotes, `$`, braces or backslashes, so it can sit single-quoted in a shell command that
// Kubernetes, KFP and Argo all leave alone.
const PACKAGE_SPEC = /^(?:@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*(?:@[\w.^~<>=|*+ -]+)?$/i

/**
 * Declares a component whose body is a TypeScript function, with the same typed inputs and
 * outputs as a container component. The function receives one object: parameter inputs as
 * values, artifact inputs as `{ path, uri, metadata }`, and output artifacts to write; it
 * returns the output parameters (or nothing). It may be `async`.
 *
 * The compiler ships the function inside the container's command (no `npm install`, no network
 * at run time): what it imports is bundled, so it may only use its own variables, imports of its
 * file, and Node's globals. Anything else from outside it (a module-level `const`, a variable of
 * an enclosing function) is a compile error (`E_FUNCTION_CAPTURE`) naming the identifier.
 *
 * @example
 * ```ts
 * import { readFileSync, writeFileSync } from 'node:fs'
 * import { artifact, Dataset, functionComponent, Model, param } from '@typeflow/dsl'
 *
 * const train = functionComponent(
 *   {
 *     name: 'train',
 *     inputs: { data: artifact(Dataset), epochs: param.int() },
 *     outputs: { model: artifact(Model), accuracy: param.float() },
 *   },
 *   async ({ data, epochs, model }) => {
 *     const rows = readFileSync(data.path, 'utf8').trim().split('\n')
 *     writeFileSync(model.path, JSON.stringify({ epochs, rows: rows.length }))
 *     model.metadata['framework'] = 'none'
 *     return { accuracy: 0.9 }
 *   },
 * )
 * ```
 */
export function functionComponent<const I extends InputSpecs = {}, const O extends OutputSpecs = {}>(
  config: FunctionComponentConfig<I, O>,
  fn: NoInfer<ComponentFunction<I, O>>,
): ComponentDef<I, O> {
  const location = callerLocation()
  refuseUnknownKeys(config, FUNCTION_COMPONENT_CONFIG_KEYS, 'a functionComponent option', ['components', String(config.name)], location)
  if (typeof fn !== 'function') {
    throw new DslError('E_INVALID_CONSTANT', ['components', config.name], 'functionComponent() takes the function to run as its second argument', location)
  }
  const inputs = Object.freeze({ ...(config.inputs ?? {}) }) as I
  const outputs = Object.freeze({ ...(config.outputs ?? {}) }) as O
  for (const [key, spec] of Object.entries(outputs)) {
    if (spec.kind === 'artifact' && Object.hasOwn(inputs, key)) {
      throw new DslError(
        'E_DUPLICATE_NAME',
        ['components', config.name, 'outputs', key],
        `"${key}" is both an input and an output artifact; the function receives both in one object, so their names must differ`,
        location,
      )
    }
  }
  const packages = [...(config.packages ?? [])]
  for (const spec of packages) {
    if (typeof spec !== 'string' || !PACKAGE_SPEC.test(spec)) {
      throw new DslError(
        'E_INVALID_CONSTANT',
        ['components', config.name, 'packages'],
        `${JSON.stringify(spec)} is not an npm registry package spec such as "lodash" or "lodash@4.17.21"`,
        location,
      )
    }
  }
  return Object.freeze({
    kind: 'container',
    name: config.name,
    ...(config.description !== undefined && { description: config.description }),
    inputs,
    outputs,
    image: config.image ?? DEFAULT_FUNCTION_IMAGE,
    ...(location !== undefined && { source: location }),
    function: Object.freeze({
      source: Function.prototype.toString.call(fn),
      ...(location !== undefined && { location }),
      packages: Object.freeze(packages),
    }),
  }) as ComponentDef<I, O>
}
