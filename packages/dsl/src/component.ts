import { DslError } from './errors.ts'
import { refuseUnknownKeys } from './option-keys.ts'
import type { ContainerComponentNode, JsonValue, PipelineNode, SourceLocation, ValueSourceNode } from './ir.ts'
import { type CommandItem, ifPresentNode, placeholderToken, toCommandArgs } from './placeholders.ts'
import { callerLocation } from './source.ts'
import type { ArtifactSpec, InputSpecs, IsList, IsOptional, OutputSpecs, ParamSpec, ParamValue } from './types.ts'

declare const phantom: unique symbol

/** A parameter value flowing along an edge: a pipeline input or a task output. */
export interface ParamRef<V = unknown> {
  readonly kind: 'paramRef'
  readonly source: ValueSourceNode
  /** Type-level only: the value type. Never present at run time. */
  readonly [phantom]: V
}

/** An artifact flowing along an edge; `S` is its schema title, `List` whether it is a list of artifacts. */
export interface ArtifactRef<S extends string = string, List extends boolean = boolean> {
  readonly kind: 'artifactRef'
  readonly schemaTitle: S
  readonly isList: List
  readonly source: ValueSourceNode
}

/**
 * KFP's rule: a generic `system.Artifact` input accepts any artifact, and a generic artifact
 * may feed any artifact input; otherwise the schema titles must match.
 */
type AcceptedArtifact<S extends string, List extends boolean> = S extends 'system.Artifact'
  ? ArtifactRef<string, List>
  : ArtifactRef<S | 'system.Artifact', List>

/** What a task may pass for one input. */
export type ArgumentFor<Spec> =
  Spec extends ArtifactSpec<infer S> ? AcceptedArtifact<S, IsList<Spec>>
  : Spec extends ParamSpec ? ParamValue<Spec> | ParamRef<ParamValue<Spec>>
  : never

type RequiredKeys<I> = { [K in keyof I]-?: IsOptional<I[K]> extends true ? never : K }[keyof I]
type OptionalKeys<I> = Exclude<keyof I, RequiredKeys<I>>

/** The arguments a task of a component takes, inferred from the component's inputs. */
export type TaskArgs<I extends InputSpecs> = { readonly [K in RequiredKeys<I>]: ArgumentFor<I[K]> } & {
  readonly [K in OptionalKeys<I>]?: ArgumentFor<I[K]>
}

/** What a task exposes, inferred from the component's outputs. */
export type TaskOutputs<O extends OutputSpecs> = {
  readonly [K in keyof O]: O[K] extends ArtifactSpec<infer S> ? ArtifactRef<S, IsList<O[K]>>
    : O[K] extends ParamSpec ? ParamRef<ParamValue<O[K]>>
    : never
}

/** Command-line placeholders for one input. */
export type InputPlaceholder<Spec> = Spec extends ArtifactSpec
  ? { readonly path: string; readonly uri: string; readonly metadata: string }
  : { readonly value: string }

/** Command-line placeholders for one output. */
export type OutputPlaceholder<Spec> = Spec extends ArtifactSpec
  ? { readonly path: string; readonly uri: string; readonly metadata: string }
  : { readonly path: string }

/** What the `command` and `args` builders of a container component receive. */
export interface CommandContext<I extends InputSpecs, O extends OutputSpecs> {
  readonly inputs: { readonly [K in keyof I]: InputPlaceholder<I[K]> }
  readonly outputs: { readonly [K in keyof O]: OutputPlaceholder<O[K]> }
  /** Items that appear only when the optional input `name` is given (KFP `IfPresent`). */
  readonly ifPresent: (name: OptionalKeys<I> & string, then: readonly CommandItem[], otherwise?: readonly CommandItem[]) => CommandItem
  /** The whole executor input as JSON (KFP `{{$}}`). */
  readonly executorInput: string
  /** Where to write the executor output JSON (KFP `{{$.outputs.output_file}}`). */
  readonly executorOutputFile: string
}

/** A command line, or a function that builds one from typed placeholders. */
export type CommandSpec<I extends InputSpecs, O extends OutputSpecs> =
  | readonly CommandItem[]
  | ((context: CommandContext<I, O>) => readonly CommandItem[])

/** A container component with typed inputs and outputs. It is plain data: the IR node itself. */
export interface ComponentDef<I extends InputSpecs = InputSpecs, O extends OutputSpecs = OutputSpecs> extends ContainerComponentNode {
  readonly inputs: I
  readonly outputs: O
}

/** A pipeline with typed inputs and outputs; usable as a component inside another pipeline. */
export interface PipelineDef<I extends InputSpecs = InputSpecs, O extends OutputSpecs = OutputSpecs> extends PipelineNode {
  readonly inputs: I
  readonly [phantom]?: O
}

/** Anything a task can run. */
export type Runnable<I extends InputSpecs = InputSpecs, O extends OutputSpecs = OutputSpecs> = ComponentDef<I, O> | PipelineDef<I, O>

/** Keys JavaScript itself probes on any object (promises, JSON, inspection): never a mistake. */
const PROBED_KEYS = new Set(['then', 'toJSON', 'constructor'])

/**
 * `target` with a diagnostic for every string key it does not have, instead of `undefined`: the
 * command builder's `inputs`, `outputs` and their placeholders, where a typo (or code without
 * types) would otherwise put `undefined` into the command line.
 */
function strict<T extends object>(target: T, missing: (key: string) => DslError): T {
  return new Proxy(target, {
    get(object, key) {
      if (typeof key !== 'string' || key in object || PROBED_KEYS.has(key)) return Reflect.get(object, key)
      throw missing(key)
    },
  })
}

/** A command builder's `inputs` or `outputs`: the placeholders of each name, strict at both levels. */
function strictPlaceholders(
  placeholders: Record<string, object>,
  side: 'inputs' | 'outputs',
  specs: Readonly<Record<string, { kind: string }>>,
  componentName: string,
  source: SourceLocation | undefined,
): unknown {
  const out: Record<string, object> = {}
  for (const [name, entry] of Object.entries(placeholders)) {
    const what = `${side === 'inputs' ? 'input' : 'output'} ${specs[name]?.kind === 'artifact' ? 'artifact' : 'parameter'}`
    const has = Object.keys(entry).map((k) => `.${k}`).join(', ')
    out[name] = strict(entry, (key) => new DslError('E_INVALID_PLACEHOLDER', ['components', componentName, side, name], `${side}.${name} is an ${what}: it has ${has}, not .${key}`, source))
  }
  const names = Object.keys(out)
  const declared = names.length > 0 ? ` (its ${side}: ${names.join(', ')})` : ` (it has no ${side})`
  return strict(out, (key) => new DslError('E_INVALID_PLACEHOLDER', ['components', componentName, 'command'], `the command reads ${side}.${key}, which component "${componentName}" does not declare${declared}`, source))
}

/** @internal The keys of {@link ComponentConfig}. */
export const COMPONENT_CONFIG_KEYS = ['name', 'description', 'image', 'inputs', 'outputs', 'command', 'args'] as const

/** Declaration of a container component. */
export interface ComponentConfig<I extends InputSpecs, O extends OutputSpecs> {
  /** Component name; tasks default to it (KFP sanitizes it to a Kubernetes-style name). */
  readonly name: string
  readonly description?: string
  /** Container image, ideally pinned by digest. */
  readonly image: string
  /** @default {} */
  readonly inputs?: I
  /** @default {} */
  readonly outputs?: O
  /** The container entrypoint; leave it out to use the image's own. */
  readonly command?: CommandSpec<I, O>
  readonly args?: CommandSpec<I, O>
}

function commandContext(inputs: InputSpecs, outputs: OutputSpecs, componentName: string, source: SourceLocation | undefined): CommandContext<InputSpecs, OutputSpecs> {
  const inputPlaceholders: Record<string, object> = {}
  for (const [name, spec] of Object.entries(inputs)) {
    inputPlaceholders[name] =
      spec.kind === 'artifact'
        ? {
            path: placeholderToken({ kind: 'placeholder', ref: spec.isList ? 'inputArtifactList' : 'inputPath', name }),
            uri: placeholderToken({ kind: 'placeholder', ref: 'inputUri', name }),
            metadata: placeholderToken({ kind: 'placeholder', ref: 'inputMetadata', name }),
          }
        : { value: placeholderToken({ kind: 'placeholder', ref: 'inputValue', name }) }
  }
  const outputPlaceholders: Record<string, object> = {}
  for (const [name, spec] of Object.entries(outputs)) {
    outputPlaceholders[name] =
      spec.kind === 'artifact'
        ? {
            path: placeholderToken({ kind: 'placeholder', ref: 'outputPath', name }),
            uri: placeholderToken({ kind: 'placeholder', ref: 'outputUri', name }),
            metadata: placeholderToken({ kind: 'placeholder', ref: 'outputMetadata', name }),
          }
        : { path: placeholderToken({ kind: 'placeholder', ref: 'outputParameterFile', name }) }
  }
  return {
    inputs: strictPlaceholders(inputPlaceholders, 'inputs', inputs, componentName, source) as CommandContext<InputSpecs, OutputSpecs>['inputs'],
    outputs: strictPlaceholders(outputPlaceholders, 'outputs', outputs, componentName, source) as CommandContext<InputSpecs, OutputSpecs>['outputs'],
    ifPresent: (name, then, otherwise) => ifPresentNode(name, then, otherwise),
    executorInput: placeholderToken({ kind: 'placeholder', ref: 'executorInput' }),
    executorOutputFile: placeholderToken({ kind: 'placeholder', ref: 'executorOutputFile' }),
  }
}

/**
 * The items of a command line as the IR takes them: strings (placeholders inside them), numbers
 * as their text (as KFP's YAML components allow), `concat()` and `ifPresent()`. Anything else
 * (`undefined` from a misspelt placeholder, `null`, an object) is a diagnostic.
 */
function checkedCommandItems(items: unknown, componentName: string, field: 'command' | 'args', source: SourceLocation | undefined): readonly CommandItem[] {
  const where = ['components', componentName, field]
  if (!Array.isArray(items)) {
    throw new DslError('E_INVALID_PLACEHOLDER', where, `${field} must be a list of strings (or a function returning one), got ${items === null ? 'null' : typeof items}`, source)
  }
  return items.map((item: unknown, i) => {
    if (typeof item === 'string') return item
    if (typeof item === 'number' && Number.isFinite(item)) return String(item)
    if (typeof item === 'object' && item !== null && ((item as { kind?: unknown }).kind === 'concat' || (item as { kind?: unknown }).kind === 'ifPresent')) return item as CommandItem
    const got = item === null ? 'null' : item === undefined ? 'undefined' : typeof item === 'object' ? 'an object' : typeof item
    throw new DslError('E_INVALID_PLACEHOLDER', [...where, String(i)], `${field} item ${i} is ${got}; items are strings (with placeholders in template literals), numbers, concat() or ifPresent()`, source)
  })
}

/**
 * Declares a container component: an image, a command line built from typed placeholders, and
 * typed inputs and outputs that tasks are checked against.
 *
 * @example
 * ```ts
 * import { artifact, component, Dataset, Model, param } from '@typeflow/dsl'
 *
 * const train = component({
 *   name: 'train',
 *   image: 'ghcr.io/acme/train:1.2',
 *   inputs: { data: artifact(Dataset), epochs: param.int({ default: 10 }) },
 *   outputs: { model: artifact(Model), accuracy: param.float() },
 *   command: ({ inputs, outputs }) => [
 *     'python', '-m', 'train',
 *     '--data', inputs.data.path,
 *     `--epochs=${inputs.epochs.value}`,
 *     '--model', outputs.model.path,
 *     '--accuracy-file', outputs.accuracy.path,
 *   ],
 * })
 * ```
 */
export function component<const I extends InputSpecs = {}, const O extends OutputSpecs = {}>(
  config: ComponentConfig<I, O>,
): ComponentDef<I, O> {
  const inputs = Object.freeze({ ...(config.inputs ?? {}) }) as I
  const outputs = Object.freeze({ ...(config.outputs ?? {}) }) as O
  const source = callerLocation()
  refuseUnknownKeys(config, COMPONENT_CONFIG_KEYS, 'a component option', ['components', String(config.name)], source)
  const build = (spec: CommandSpec<I, O> | undefined, field: 'command' | 'args') => {
    if (spec === undefined) return undefined
    const items: unknown = typeof spec === 'function' ? spec(commandContext(inputs, outputs, config.name, source) as unknown as CommandContext<I, O>) : spec
    return toCommandArgs(checkedCommandItems(items, config.name, field, source))
  }
  const command = build(config.command, 'command')
  const args = build(config.args, 'args')
  return Object.freeze({
    kind: 'container',
    name: config.name,
    ...(config.description !== undefined && { description: config.description }),
    inputs,
    outputs,
    image: config.image,
    ...(command !== undefined && { command }),
    ...(args !== undefined && { args }),
    ...(source !== undefined && { source }),
  }) as ComponentDef<I, O>
}

/** @internal Makes a reference value for a source of the given spec. */
export function refFor(spec: ParamSpec | ArtifactSpec, source: ValueSourceNode): ParamRef | ArtifactRef {
  return spec.kind === 'artifact'
    ? Object.freeze({ kind: 'artifactRef', schemaTitle: spec.type.schemaTitle, isList: spec.isList, source })
    : (Object.freeze({ kind: 'paramRef', source }) as ParamRef)
}

/** @internal True for values produced by `refFor`. */
export function isRef(value: unknown): value is ParamRef | ArtifactRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    ((value as { kind?: unknown }).kind === 'paramRef' || (value as { kind?: unknown }).kind === 'artifactRef')
  )
}

/** @internal Whether a JavaScript value can be a constant argument (see {@link jsonProblem}). */
export function isJsonValue(value: unknown): value is JsonValue {
  return jsonProblem(value) === undefined
}

/**
 * @internal What keeps a JavaScript value from being a JSON value a pipeline can carry (a
 * constant, a default), with where it is (`[2].when`); `undefined` for a JSON value. Numbers must
 * be finite (JSON, YAML readers and KFP's protobuf disagree on NaN and Infinity), objects plain,
 * and an own `__proto__` key is refused: copying it by assignment would set a prototype instead.
 */
export function jsonProblem(value: unknown, at = '', seen: object[] = []): string | undefined {
  const where = at === '' ? '' : ` at ${at}`
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined
    case 'number':
      return Number.isFinite(value) ? undefined : `${value}${where} is not a finite number`
    case 'object': {
      if (value === null) return undefined
      if (seen.includes(value)) return `a cycle${where}`
      seen.push(value)
      try {
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) {
            const problem = i in value ? jsonProblem(value[i], `${at}[${i}]`, seen) : `a hole at ${at}[${i}]`
            if (problem !== undefined) return problem
          }
          return undefined
        }
        if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
          return `a ${(value as object).constructor?.name ?? 'non-plain'} object${where} (only plain objects, lists and scalars)`
        }
        for (const key of Object.keys(value)) {
          if (key === '__proto__') return `a key named __proto__${where}`
          const problem = jsonProblem((value as Record<string, unknown>)[key], at === '' ? key : `${at}.${key}`, seen)
          if (problem !== undefined) return problem
        }
        return undefined
      } finally {
        seen.pop()
      }
    }
    default:
      return `${typeof value === 'function' ? 'a function' : typeof value === 'bigint' ? 'a bigint' : typeof value}${where}`
  }
}
