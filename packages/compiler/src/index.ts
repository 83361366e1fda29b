/**
 * Typeflow's compiler: validates a pipeline graph, resolves its edges and types, and emits
 * Kubeflow Pipelines IR, validated against a strict schema and written deterministically.
 *
 * @example
 * ```ts
 * import { component, pipeline } from '@typeflow/dsl'
 * import { compile } from '@typeflow/compiler'
 * const hello = component({ name: 'hello', image: 'alpine:3.20', command: ['echo', 'hi'] })
 * const result = compile(pipeline({ name: 'hello' }, (dag) => { dag.task(hello) }))
 * ```
 * @module
 */
export { compile, emitKfp, SDK_VERSION, type CompileFailure, type CompileOptions, type CompileResult, type CompileSuccess, type Target } from './compile.ts'
export { build, parseCachingSwitch, parseTargets, type BuildOptions } from './build.ts'
export type { ArgoOptions } from './targets/argo/options.ts'
export { validateArgoDocuments, type ArgoSchemaIssue } from './targets/argo/index.ts'
export type { KfpOptions } from './targets/kfp/emit.ts'
export { analysePipeline, type AnalysisResult } from './analyse/analyse.ts'
export type { AnalysedGroup, AnalysedMember, AnalysedPipeline, AnalysedScope, AnalysedTask, DataEdge } from './analyse/graph.ts'
export { outputFileOfBytes, withOutputLock, writeFilesAtomically, type OutputFile } from './writer/files.ts'
export { readBack, toYaml, toYamlBytes, toYamlDocuments, toYamlDocumentsBytes, toYamlDocumentsParts, YamlFloat } from './writer/yaml.ts'
export { validateKfpDocuments, validatePipelineSpec, validatePlatformSpec, type SchemaIssue } from './targets/kfp/schema/validate.ts'
export { TYPEFLOW_VERSION } from './version.ts'
export { acceleratorResource, applyPlacement, MODEL_LABELS, parseClusterProfile, type ClusterKind, type ClusterProfile } from './passes/placement.ts'
export { kubernetesExecutorConfig, platformSpec } from './targets/kfp/platform.ts'
export { canonicalJson, computeCacheKeys, isStaticKey, runtimeCacheKey, type TaskCacheKey } from './passes/cache-keys.ts'
export { checkPolicies, DEFAULT_POLICIES, MAX_GPU_RETRIES, type PolicyCode, type PolicySettings, type PolicySeverity } from './passes/policies.ts'
