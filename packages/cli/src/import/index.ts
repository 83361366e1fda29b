/**
 * `typeflow import`: KFP components and compiled pipelines to typed Typeflow modules.
 *
 * @module
 */
import type { IoSpecNode } from '@typeflow/dsl'
import { sanitizeName, TypeflowError } from '@typeflow/dsl'
import { loadComponent, parseKfpArg } from '@typeflow/dsl/kfp'
import { emitComponentModule, emitPipelineModule, type ComponentSource } from './emit.ts'
import { platformExecutors } from './kubernetes.ts'
import { buildModel, ioSpecs, type ImportModel } from './model.ts'
import { type IrPipelineSpec, type KfpFileKind, parseKfpFile } from './spec.ts'

export type { KfpFileKind } from './spec.ts'

/** What to generate: a component module, or a pipeline module (components and the pipeline). */
export type ImportKind = 'component' | 'pipeline'

/** Options for the import functions. */
export interface ImportOptions {
  /** The file being imported; named in diagnostics and in the module's header comment. */
  readonly file?: string
}

/** A generated module and what could not be carried over. */
export interface ImportResult {
  readonly kind: ImportKind
  /** What the input file holds. */
  readonly detected: KfpFileKind
  readonly code: string
  /** Features of the input with no Typeflow equivalent (also listed in the module's header). */
  readonly warnings: readonly string[]
}

function componentFromIr(spec: IrPipelineSpec, file: string, warnings: string[]): ComponentSource {
  const keys = Object.keys(spec.components ?? {}).filter((k) => {
    const label = spec.components?.[k]?.executorLabel
    return label !== undefined && spec.deploymentSpec?.executors?.[label]?.container !== undefined
  })
  if (keys.length !== 1) {
    throw new TypeflowError([
      {
        code: 'E_COMPONENT_YAML',
        path: ['components'],
        message: `expected exactly one container component, found ${keys.length}; import it as a pipeline`,
        source: { file, line: 1, column: 1 },
      },
    ])
  }
  const component = spec.components![keys[0]!]!
  const container = spec.deploymentSpec!.executors![component.executorLabel!]!.container!
  const warn = (m: string) => warnings.push(m)
  return {
    name: spec.pipelineInfo.name,
    inputs: ioSpecs(component.inputDefinitions, 'input', warn),
    outputs: ioSpecs(component.outputDefinitions, 'output', warn),
    image: container.image,
    ...(container.command !== undefined && { command: container.command.map(parseKfpArg) }),
    ...(container.args !== undefined && { args: container.args.map(parseKfpArg) }),
  }
}

function componentFromV1(text: string, file: string): ComponentSource {
  const loaded = loadComponent(text, file)
  return {
    name: loaded.name,
    ...(loaded.description !== undefined && { description: loaded.description }),
    inputs: loaded.inputs as Readonly<Record<string, IoSpecNode>>,
    outputs: loaded.outputs as Readonly<Record<string, IoSpecNode>>,
    image: loaded.image,
    ...(loaded.command !== undefined && { command: loaded.command }),
    ...(loaded.args !== undefined && { args: loaded.args }),
  }
}

/** A one-task pipeline around a component, as KFP compiles a single component. */
function mirrorModel(component: ComponentSource): ImportModel {
  const container = { kind: 'container' as const, identity: 'component', keys: [], ...component }
  // The pipeline and its task are named as KFP compiles a component: its name made a Kubernetes
  // name (`Word count` → `word-count`); the component keeps the name it has.
  const name = sanitizeName(component.name) || 'pipeline'
  return {
    root: {
      kind: 'pipeline',
      identity: '',
      key: 'root',
      name,
      inputs: component.inputs,
      outputs: [],
      body: [
        {
          kind: 'task',
          name,
          runnable: container,
          args: Object.keys(component.inputs).map((name) => [name, { kind: 'input', name }] as const),
          env: [],
          after: [],
          ignoreUpstreamFailure: false,
          isExitTask: false,
        },
      ],
    },
    containers: [container],
    pipelines: [],
    warnings: [],
  }
}

/**
 * Imports a KFP file as a Typeflow module. `kind` picks what to generate; by default a v1
 * component becomes a component module and a compiled PipelineSpec (even of a single component)
 * a pipeline module that exports its components too. Throws a `TypeflowError` on malformed input.
 *
 * @example
 * ```ts
 * import { importKfp } from './import/index.ts'
 * declare const yamlText: string
 * const { code, warnings } = importKfp(yamlText, undefined, { file: 'pipeline.yaml' })
 * ```
 */
export function importKfp(yamlText: string, kind?: ImportKind, options: ImportOptions = {}): ImportResult {
  try {
    return importOrThrow(yamlText, kind, options)
  } catch (error) {
    if (error instanceof TypeflowError) throw error
    // A shape the checks let through but the importer cannot read: still a diagnostic, not a crash.
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error)
    throw new TypeflowError([{ code: 'E_COMPONENT_YAML', path: [], message: `cannot import: ${message}`, source: { file: options.file ?? '<input>', line: 1, column: 1 } }])
  }
}

function importOrThrow(yamlText: string, kind: ImportKind | undefined, options: ImportOptions): ImportResult {
  const file = options.file ?? '<input>'
  const parsed = parseKfpFile(yamlText, file)
  const target: ImportKind = kind ?? (parsed.kind === 'v1-component' ? 'component' : 'pipeline')
  const warnings: string[] = []
  const emitOptions = (w: readonly string[]) => ({ ...(options.file !== undefined && { source: options.file }), warnings: w })
  if (parsed.kind === 'v1-component') {
    const component = componentFromV1(parsed.text, file)
    const code = target === 'component' ? emitComponentModule(component, emitOptions(warnings)) : emitPipelineModule(mirrorModel(component), emitOptions(warnings))
    return { kind: target, detected: parsed.kind, code, warnings }
  }
  const platform = parsed.platform !== undefined ? platformExecutors(parsed.platform) : undefined
  warnings.push(...(platform?.warnings ?? []))
  if (parsed.extraDocuments > 1) warnings.push(`${parsed.extraDocuments - 1} YAML documents after the PlatformSpec`)
  if (target === 'component') {
    if (platform !== undefined && Object.keys(platform.executors).length > 0) {
      warnings.push('the PlatformSpec (Kubernetes settings are task options: import the file as a pipeline to keep them)')
    }
    const component = componentFromIr(parsed.spec, file, warnings)
    return { kind: target, detected: parsed.kind, code: emitComponentModule(component, emitOptions(warnings)), warnings }
  }
  const model = buildModel(parsed.spec, platform?.executors)
  warnings.push(...model.warnings)
  return { kind: target, detected: parsed.kind, code: emitPipelineModule(model, emitOptions(warnings)), warnings }
}

/**
 * Generates a typed component module from a KFP component: a v1 `component.yaml`, or a v2 IR
 * file holding one compiled component.
 *
 * @example
 * ```ts
 * import { importComponent } from './import/index.ts'
 * const code = importComponent(`
 * name: echo
 * inputs: [{name: text, type: String}]
 * implementation:
 *   container: {image: alpine, command: [echo, {inputValue: text}]}
 * `)
 * // export const echo = component({ name: 'echo', image: 'alpine', inputs: { text: param.string() },
 * //   command: ({ inputs }) => ['echo', inputs.text.value] })
 * ```
 */
export function importComponent(yamlText: string, options: ImportOptions = {}): string {
  return importKfp(yamlText, 'component', options).code
}

/**
 * Generates a pipeline module from a compiled KFP PipelineSpec: every component as a
 * `component(…)` constant, then `export default pipeline(…)` rebuilding the tasks, control flow
 * and outputs.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs'
 * import { importPipeline } from './import/index.ts'
 * const code = importPipeline(readFileSync('pipeline.yaml', 'utf8'), { file: 'pipeline.yaml' })
 * ```
 */
export function importPipeline(yamlText: string, options: ImportOptions = {}): string {
  return importKfp(yamlText, 'pipeline', options).code
}
