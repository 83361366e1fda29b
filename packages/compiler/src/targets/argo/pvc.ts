/**
 * `createPvc` / `deletePvc` (kfp-kubernetes `CreatePVC` / `DeletePVC`) as Argo resource templates.
 *
 * Under KFP these are stub images (`argostub/createpvc`, `argostub/deletepvc`) that the backend
 * recognises and carries out itself. Argo has its own way to act on a Kubernetes object from a
 * workflow: a `resource` template, which the workflow controller runs with kubectl semantics. So
 * `createPvc` becomes `action: create` of a PersistentVolumeClaim manifest whose name comes back
 * as the `name` output (`valueFrom.jsonPath: '{.metadata.name}'`), and `deletePvc` becomes
 * `action: delete`. The workflow's service account needs `create`/`delete` on
 * persistentvolumeclaims (as KFP's backend does).
 *
 * The manifest is JSON (YAML accepts it): strings arrive through `{{=toJson(…)}}` so any value is
 * quoted correctly; list and struct parameters are JSON text already and are spliced as they are.
 * Which optional inputs a task gives is known when compiling, so each combination is its own
 * template. `pvc_name_suffix` names the claim `<workflow name><suffix>`, KFP's rule for a name
 * unique to the run.
 *
 * @module
 */

import type { ContainerComponentNode, TaskNode } from '@typeflow/dsl'
import { createPvc, deletePvc } from '@typeflow/dsl'
import type { BuiltTemplate } from './container.ts'
import { exprIndex } from './expr.ts'
import { labelValue } from './names.ts'
import { ANNOTATIONS, type EmitContext, RESERVED } from './registry.ts'

// The stub images KFP's backend recognises, as the DSL's `createPvc` / `deletePvc` declare them.
const CREATE_IMAGE = createPvc.image
const DELETE_IMAGE = deletePvc.image

/** Whether a component is kfp-kubernetes' claim creation or deletion stub. */
export function isPvcStub(component: ContainerComponentNode): boolean {
  return component.image === CREATE_IMAGE || component.image === DELETE_IMAGE
}

export interface PvcRequest {
  readonly task: TaskNode
  readonly component: ContainerComponentNode
  /** Inputs the task gives a value (passed, or defaulted by the component). */
  readonly present: ReadonlySet<string>
  readonly hasDisplayName: boolean
  readonly path: readonly string[]
}

/** A string input, JSON-quoted by Argo's expression language. */
const quoted = (name: string): string => `{{=toJson(${exprIndex('inputs.parameters', name)})}}`
/** A list or struct input: already JSON text. */
const raw = (name: string): string => `{{inputs.parameters.${name}}}`

function createManifest(present: ReadonlySet<string>): string {
  const name = present.has('pvc_name')
    ? `"name":${quoted('pvc_name')}`
    : `"name":{{=toJson(workflow.name+${exprIndex('inputs.parameters', 'pvc_name_suffix')})}}`
  const metadata = `{${name}${present.has('annotations') ? `,"annotations":${raw('annotations')}` : ''}}`
  const spec = [
    `"accessModes":${raw('access_modes')}`,
    `"resources":{"requests":{"storage":${quoted('size')}}}`,
    ...(present.has('storage_class_name') ? [`"storageClassName":${quoted('storage_class_name')}`] : []),
    ...(present.has('volume_name') ? [`"volumeName":${quoted('volume_name')}`] : []),
    ...(present.has('data_source') ? [`"dataSource":${raw('data_source')}`] : []),
  ]
  return `{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":${metadata},"spec":{${spec.join(',')}}}`
}

/** Builds (or reuses) the resource template of a `createPvc` or `deletePvc` task. */
export function pvcTemplate(ctx: EmitContext, request: PvcRequest): BuiltTemplate {
  const { component, present } = request
  const create = component.image === CREATE_IMAGE
  if (create && present.has('pvc_name') === present.has('pvc_name_suffix')) {
    ctx.report('E_MISSING_INPUT', [...request.path, 'inputs'], 'createPvc needs exactly one of pvc_name and pvc_name_suffix', request.task.source)
  }
  const inputs = Object.keys(component.inputs).filter((name) => present.has(name)).sort()
  const parameters: Record<string, unknown>[] = inputs.map((name) => {
    const spec = component.inputs[name]!
    return { name, ...(spec.kind === 'parameter' && spec.default !== undefined && { default: String(spec.default) }) }
  })
  parameters.push({ name: RESERVED.task })
  if (request.hasDisplayName) parameters.push({ name: RESERVED.displayName })
  const manifest = create
    ? createManifest(present)
    : `{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":${quoted('pvc_name')}}}`
  const body: Record<string, unknown> = {
    metadata: {
      annotations: { [ANNOTATIONS.task]: `{{inputs.parameters.${RESERVED.task}}}` },
      labels: { [ANNOTATIONS.component]: labelValue(component.name) || 'pvc' },
    },
    ...(request.hasDisplayName && { annotations: { [ANNOTATIONS.displayName]: `{{inputs.parameters.${RESERVED.displayName}}}` } }),
    inputs: { parameters },
    ...(create && { outputs: { parameters: [{ name: 'name', valueFrom: { jsonPath: '{.metadata.name}' } }] } }),
    resource: { action: create ? 'create' : 'delete', manifest },
  }
  const entry = ctx.intern('container', component.name, body)
  return {
    entry,
    inputNames: new Map(inputs.map((name) => [name, name])),
    outputs: create ? new Map([['name', { argoName: 'name', artifact: false, originalName: 'name' }]]) : new Map(),
  }
}
