/**
 * Where user text goes in a pipeline, and where it must come out: one small pipeline, built with
 * the hostile string in exactly one place and a benign string everywhere else, and for each place
 * the KFP location that must hold the text byte for byte and the value an Argo container (or the
 * Argo UI) must receive once Argo and the kubelet have done their substitutions.
 *
 * The pipeline: an importer (URI from a pipeline parameter, metadata) feeding one container task
 * whose command is `echo <literal> <literal><v><literal> <d> <f> <artifact path>`, where `v` is a
 * constant argument, `d` a component default and `f` an f-string around the pipeline parameter
 * `pin`; the task has a display name and one env var.
 */
import type { PipelineNode } from '@typeflow/dsl'
import { artifact, component, Dataset, fmt, param, pipeline } from '@typeflow/dsl'
import { containerEnv, kubeletExpand } from '../argo/simulate.ts'
import type { ContainerRun } from '../argo/run.ts'

type Json = Record<string, any>

/** Every place a hostile string is put. */
export const PLACES = [
  'taskDisplayName',
  'pipelineDescription',
  'pipelineDisplayName',
  'paramDescription',
  'pipelineInputDefault',
  'componentInputDefault',
  'constantArg',
  'envValue',
  'commandLiteral',
  'commandTemplate',
  'fmtPart',
  'importerMetadata',
  'importerUri',
  'componentName',
  'taskName',
  'pipelineName',
  'inputName',
  'envName',
] as const
export type Place = (typeof PLACES)[number]

/** Places that hold a name rather than a value: the name may be rejected or rewritten. */
export const NAME_PLACES: ReadonlySet<Place> = new Set(['componentName', 'taskName', 'pipelineName', 'inputName', 'envName'])

/**
 * Places whose text KFP's backend scans for `{{$…}}` placeholders: the launcher replaces every known
 * placeholder anywhere in the command line, also inside values it has already inserted
 * (`executeV2` in backend/src/v2/component/launcher_v2.go), and the driver resolves run-time
 * placeholders in constant arguments. KFP has no escape for them.
 */
export const KFP_SCANNED: ReadonlySet<Place> = new Set(['pipelineInputDefault', 'componentInputDefault', 'constantArg', 'commandLiteral', 'commandTemplate', 'fmtPart'])

export const IMAGE = `alpine@sha256:${'a'.repeat(64)}`
export const URI_PREFIX = 'gs://bucket/'
const ENV_NAME = 'HOSTILE_ENV'

/** The places holding the hostile string in one pipeline (usually one). */
export type Hostile = ReadonlySet<Place>

/** Every value place at once (names are tried one at a time): strings meet each other and our tags. */
export const ALL_VALUES: Hostile = new Set(PLACES.filter((p) => !NAME_PLACES.has(p)))

/** The text of a place: the hostile string, or a benign value of its own. */
function textOf(place: Place, hostile: Hostile, s: string, benign: string): string {
  return hostile.has(place) ? s : `${benign}-${place.toLowerCase()}`
}

/** The pipeline with `s` in the `hostile` places. May throw a `TypeflowError` (the DSL's diagnostics). */
export function buildPipeline(hostile: Hostile, s: string, benign: string): PipelineNode {
  const t = (p: Place) => textOf(p, hostile, s, benign)
  const v = hostile.has('inputName') ? s : 'v'
  const echo = component({
    name: hostile.has('componentName') ? s : 'echo',
    image: IMAGE,
    inputs: { [v]: param.string(), d: param.string({ default: t('componentInputDefault') }), f: param.string(), a: artifact(Dataset) },
    command: ({ inputs }) => {
      const value = (inputs as Record<string, { value: string }>)[v]!.value
      const { d, f, a } = inputs as unknown as { d: { value: string }; f: { value: string }; a: { path: string } }
      return ['echo', t('commandLiteral'), `${t('commandTemplate')}${value}${t('commandTemplate')}`, d.value, f.value, a.path]
    },
  })
  return pipeline(
    {
      name: hostile.has('pipelineName') ? s : 'hostile',
      description: t('pipelineDescription'),
      displayName: t('pipelineDisplayName'),
      inputs: {
        pin: param.string({ default: t('pipelineInputDefault'), description: t('paramDescription') }),
        uri: param.string({ default: URI_PREFIX + t('importerUri') }),
      },
    },
    (dag, p) => {
      const imported = dag.importer({ uri: p.uri, type: Dataset, metadata: { k: t('importerMetadata') } })
      dag.task(echo, { [v]: t('constantArg'), f: fmt`${t('fmtPart')}${p.pin}${t('fmtPart')}`, a: imported.outputs.artifact } as never, {
        ...(hostile.has('taskName') && { name: s }),
        displayName: t('taskDisplayName'),
        env: { [hostile.has('envName') ? s : ENV_NAME]: t('envValue') },
      })
    },
  )
}

/** One expectation: `actual` must equal `expected`. */
export interface Expect {
  readonly what: string
  readonly actual: unknown
  readonly expected: unknown
}

const KFP_PLACEHOLDER = (name: string) => `{{$.inputs.parameters['${name}']}}`

/** Where the text lands in the KFP PipelineSpec (parsed), byte for byte. */
export function kfpExpectations(hostile: Hostile, s: string, benign: string, doc: Json): Expect[] {
  const t = (p: Place) => textOf(p, hostile, s, benign)
  const tasks = doc['root']?.['dag']?.['tasks'] ?? {}
  const taskKey = hostile.has('taskName') ? s : Object.keys(tasks).find((k) => k !== 'importer')!
  const task = tasks[taskKey] ?? {}
  const componentKey = task['componentRef']?.['name'] as string
  const executor = doc['deploymentSpec']?.['executors']?.[doc['components']?.[componentKey]?.['executorLabel']]?.['container'] ?? {}
  const importer = doc['deploymentSpec']?.['executors']?.['exec-importer']?.['importer'] ?? {}
  const rootParams = doc['root']?.['inputDefinitions']?.['parameters'] ?? {}
  const v = hostile.has('inputName') ? s : 'v'
  const env = (executor['env'] ?? []) as { name: string; value: string }[]
  const envName = hostile.has('envName') ? s : ENV_NAME
  const all: Record<Place, () => Expect[]> = {
    taskDisplayName: () => [{ what: 'taskInfo.name', actual: task['taskInfo']?.['name'], expected: s }],
    pipelineDescription: () => [{ what: 'pipelineInfo.description', actual: doc['pipelineInfo']?.['description'], expected: s }],
    pipelineDisplayName: () => [{ what: 'pipelineInfo.displayName', actual: doc['pipelineInfo']?.['displayName'], expected: s }],
    paramDescription: () => [{ what: 'root input pin description', actual: rootParams['pin']?.['description'], expected: s }],
    pipelineInputDefault: () => [{ what: 'root input pin defaultValue', actual: rootParams['pin']?.['defaultValue'], expected: s }],
    componentInputDefault: () => [{ what: 'component input d defaultValue', actual: doc['components']?.[componentKey]?.['inputDefinitions']?.['parameters']?.['d']?.['defaultValue'], expected: s }],
    constantArg: () => [{ what: 'task input v constant', actual: task['inputs']?.['parameters']?.['v']?.['runtimeValue']?.['constant'], expected: s }],
    envValue: () => [{ what: 'container env value', actual: env.find((e) => e.name === envName)?.value, expected: s }],
    commandLiteral: () => [{ what: 'command[1]', actual: executor['command']?.[1], expected: s }],
    commandTemplate: () => [{ what: 'command[2]', actual: executor['command']?.[2], expected: `${s}${KFP_PLACEHOLDER(v)}${s}` }],
    fmtPart: () => [{ what: 'task input f constant', actual: task['inputs']?.['parameters']?.['f']?.['runtimeValue']?.['constant'], expected: `${s}${KFP_PLACEHOLDER('pipelinechannel--pin')}${s}` }],
    importerMetadata: () => [{ what: 'importer metadata.k', actual: importer['metadata']?.['k'], expected: s }],
    importerUri: () => [{ what: 'root input uri defaultValue', actual: rootParams['uri']?.['defaultValue'], expected: URI_PREFIX + s }],
    componentName: () => [],
    taskName: () => [{ what: 'task key', actual: taskKey in tasks, expected: true }],
    pipelineName: () => [{ what: 'pipelineInfo.name', actual: doc['pipelineInfo']?.['name'], expected: s }],
    inputName: () => [
      { what: 'component input definition', actual: doc['components']?.[componentKey]?.['inputDefinitions']?.['parameters']?.[v]?.['parameterType'], expected: 'STRING' },
      { what: 'task argument', actual: task['inputs']?.['parameters']?.[v]?.['runtimeValue']?.['constant'], expected: t('constantArg') },
    ],
    envName: () => [{ what: 'container env', actual: env.find((e) => e.name === envName)?.value, expected: t('envValue') }],
  }
  return [...hostile].flatMap((place) => all[place]())
}

/** Values a container receives under KFP, to compare the Argo simulation with. */
export interface Delivered {
  /** The echo container's argv, without the artifact path (whose location differs by target). */
  readonly argv: readonly string[]
  /** The echo container's env, after the kubelet's expansion. */
  readonly env: ReadonlyMap<string, string>
  /** The URI the importer imports. */
  readonly uri: string
}

/**
 * What KFP delivers: literal command text goes through the kubelet's `$(VAR)` expansion (with the
 * container's env), values inserted by the launcher do not; env values are expanded in order.
 */
export function kfpDelivered(hostile: Hostile, s: string, benign: string): Delivered {
  const t = (p: Place) => textOf(p, hostile, s, benign)
  const env = containerEnv([{ name: hostile.has('envName') ? s : ENV_NAME, value: t('envValue') }])
  const literal = (text: string) => kubeletExpand(text, env)
  // A value sits between two literal pieces: expand the pieces around a marker the text lacks.
  const template = t('commandTemplate')
  let marker = 0xe200
  while (template.includes(String.fromCharCode(marker))) marker++
  const m = String.fromCharCode(marker)
  const around = literal(`${template}${m}${template}`).split(m)
  return {
    argv: ['echo', literal(t('commandLiteral')), around.join(t('constantArg')), t('componentInputDefault'), `${t('fmtPart')}${t('pipelineInputDefault')}${t('fmtPart')}`],
    env,
    uri: URI_PREFIX + t('importerUri'),
  }
}

/** The echo run and the importer run of a simulated Argo run. */
export function argoRuns(runs: readonly ContainerRun[]): { echo: ContainerRun | undefined; importer: ContainerRun | undefined } {
  return { echo: runs.find((r) => r.argv[0] === 'echo'), importer: runs.find((r) => r.argv[0] === 'sh' && r.template.startsWith('importer')) }
}

export { ENV_NAME, textOf }
