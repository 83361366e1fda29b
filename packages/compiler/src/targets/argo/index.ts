/**
 * The Argo Workflows target: native Argo manifests (Workflow, WorkflowTemplate or CronWorkflow)
 * from the same analysed graph the KFP target reads, validated by a strict schema of exactly what
 * it emits, within the v4 CRD caps at any size.
 *
 * @example
 * ```ts
 * import { analysePipeline } from '../../analyse/analyse.ts'
 * import { argoYaml, emitArgo, validateArgoDocuments } from './index.ts'
 * const analysis = analysePipeline(myPipeline)
 * if (analysis.ok) {
 *   const { documents, diagnostics } = emitArgo(analysis.pipeline, { kind: 'WorkflowTemplate' })
 *   if (diagnostics.length === 0 && validateArgoDocuments(documents).length === 0) console.log(argoYaml(documents))
 * }
 * ```
 * @module
 */
export { emitArgo, type ArgoEmitResult } from './emit.ts'
export {
  ARGO_CAPS,
  resolveArgoOptions,
  type ArgoArtifactRepositoryRef,
  type ArgoKind,
  type ArgoMemoizeOptions,
  type ArgoOptions,
  type ArgoPodGC,
  type ArgoPodSecurityContext,
  type ArgoTtlStrategy,
  type ResolvedArgoOptions,
} from './options.ts'
export { argoDocumentSchema, validateArgoDocuments, type ArgoSchemaIssue } from './schema.ts'
export { argoYaml } from './yaml.ts'
