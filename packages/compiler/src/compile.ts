import { type Diagnostic, type PipelineNode, TypeflowError } from '@typeflow/dsl'
import { analysePipeline } from './analyse/analyse.ts'
import type { AnalysedPipeline } from './analyse/graph.ts'
import { emitKfpDocuments, type KfpOptions } from './targets/kfp/emit.ts'
import { packageFunctionComponents } from './passes/function-components.ts'
import { checkPolicies, type PolicySettings } from './passes/policies.ts'
import { applyPlacement, type ClusterKind, type ClusterProfile } from './passes/placement.ts'
import { kfpPlaceholderHazards } from './targets/kfp/hazards.ts'
import { oneOfNotExhaustive } from './passes/one-of.ts'
import { nestedCachingIgnored } from './passes/nested-caching.ts'
import { skippedFanIns } from './passes/argo-fan-in.ts'
import { optionalInputsWithoutValue } from './passes/optional-inputs.ts'
import { tasksThatNeverRun } from './passes/never-runs.ts'
import { kfpHeader } from './targets/kfp/header.ts'
import { validateKfpDocuments } from './targets/kfp/schema/validate.ts'
import { emitArgo, validateArgoDocuments, type ArgoOptions } from './targets/argo/index.ts'
import { type OutputFile, outputFileOfBytes } from './writer/files.ts'
import { toYamlDocumentsParts, YamlFloat } from './writer/yaml.ts'
import { TYPEFLOW_VERSION } from './version.ts'

/** Output formats the compiler can emit. */
export type Target = 'kfp' | 'argo'

/** Compiler options. */
export interface CompileOptions {
  /** Targets to emit. @default ['kfp'] */
  readonly targets?: readonly Target[]
  /**
   * Caching for tasks and pipelines that do not choose (global switch; the CLI's `--caching`
   * and the `TYPEFLOW_CACHING` environment variable set it). @default true, as in KFP
   */
  readonly caching?: boolean
  readonly kfp?: KfpOptions
  /** Options of the Argo target (kind, schedules, service account, …). */
  readonly argo?: ArgoOptions
  /**
   * The cluster the pipeline runs on: how accelerator models become node selectors and which
   * tolerations accelerated tasks get (the CLI's `--cluster`). @default none: no placement
   */
  readonly cluster?: ClusterProfile | Exclude<ClusterKind, 'custom'>
  /**
   * Platform policies: per-policy severities, or `'off'` (for pipelines you do not own, such as
   * imported KFP goldens). @default DEFAULT_POLICIES
   */
  readonly policies?: PolicySettings | 'off'
  /** Turn policy warnings into errors (the CLI's `--strict`). @default false */
  readonly strict?: boolean
}

/** A successful compile: the files to write, named `<pipeline>.<target>.yaml`. */
export interface CompileSuccess {
  readonly ok: true
  readonly files: readonly OutputFile[]
  readonly analysed: AnalysedPipeline
  /** Policy warnings: worth showing, not worth failing for. */
  readonly warnings: readonly Diagnostic[]
}

/** A failed compile: every diagnostic found; nothing should be written. */
export interface CompileFailure {
  readonly ok: false
  readonly diagnostics: readonly Diagnostic[]
}

/**
 * What `compile` returns: the files to write, or every diagnostic (and nothing to write).
 *
 * @example
 * ```ts
 * const result: CompileResult = compile(myPipeline)
 * if (!result.ok) for (const d of result.diagnostics) console.error(formatDiagnostic(d))
 * ```
 */
export type CompileResult = CompileSuccess | CompileFailure

/** `sdkVersion` written into KFP IR, in place of the SDK's `kfp-<version>`. */
export const SDK_VERSION = `typeflow-${TYPEFLOW_VERSION}`

/** Emits the KFP documents (PipelineSpec, and PlatformSpec when needed) of an analysed pipeline. */
export function emitKfp(analysed: AnalysedPipeline, options: KfpOptions = {}): readonly Record<string, unknown>[] {
  return emitKfpDocuments(analysed, SDK_VERSION, options)
}

function schemaFailures(target: Target, issues: readonly { path: string; message: string }[]): Diagnostic[] {
  return issues.map((issue) => ({
    code: 'E_SCHEMA' as const,
    path: [target, ...issue.path.split('/').filter(Boolean)],
    message: `emitted ${target} document is invalid (a Typeflow bug, please report it): ${issue.message}`,
  }))
}

/**
 * Compiles a pipeline to KFP IR: analysis, translation, schema validation and one deterministic
 * YAML writer. Returns every diagnostic instead of throwing.
 *
 * @example
 * ```ts
 * import { component, pipeline } from '@typeflow/dsl'
 * import { compile } from '@typeflow/compiler'
 * const hello = component({ name: 'hello', image: 'alpine:3.20', command: ['echo', 'hi'] })
 * const result = compile(pipeline({ name: 'hello' }, (dag) => { dag.task(hello) }))
 * if (result.ok) console.log(result.files[0]?.content)
 * ```
 */
export function compile(source: PipelineNode, options: CompileOptions = {}): CompileResult {
  return compileInSteps(source, options, ignoreStep)
}

/** A step of one compile, in the order {@link compileInSteps} reports them as they end. */
export type CompileStep = 'prepare' | 'analyse' | 'checks' | 'kfp emit' | 'kfp validate' | 'kfp yaml' | 'argo emit' | 'argo validate'

const ignoreStep = (_step: CompileStep): void => {}

/**
 * {@link compile}, calling `stepEnded` as each step ends (steps that do not run are not reported):
 * how the benchmark sees inside one compile, cold, without timing the steps apart from it. Not
 * exported by the package.
 */
export function compileInSteps(source: PipelineNode, options: CompileOptions, stepEnded: (step: CompileStep) => void): CompileResult {
  try {
    return compileChecked(source, options, stepEnded)
  } catch (error) {
    // Diagnostics are the contract, for input no check has caught yet too: never a stack trace.
    if (error instanceof TypeflowError) return { ok: false, diagnostics: error.diagnostics }
    return { ok: false, diagnostics: [internalError(error)] }
  }
}

/** An unexpected failure as a diagnostic: what failed and where in the compiler. */
function internalError(error: unknown): Diagnostic {
  const message = error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error)
  const frame = error instanceof Error ? /\n\s+at (.+)/.exec(error.stack ?? '')?.[1] : undefined
  return {
    code: 'E_INTERNAL',
    path: [],
    message: `the compiler failed: ${message}${frame ? ` (at ${frame})` : ''}; this input is not checked yet, or it is a Typeflow bug: please report it with the pipeline`,
  }
}

function compileChecked(source: PipelineNode, options: CompileOptions, stepEnded: (step: CompileStep) => void): CompileResult {
  // Function components get their command lines first (their code, bundled, travels inside them).
  const functions = packageFunctionComponents(source)
  // Accelerator placement for the chosen cluster, before analysis: both targets see its result.
  const placement = applyPlacement(functions.pipeline, typeof options.cluster === 'string' ? { kind: options.cluster } : options.cluster)
  const pipeline = placement.pipeline
  stepEnded('prepare')
  const analysis = analysePipeline(pipeline, { ...(options.caching !== undefined && { cachingDefault: options.caching }) })
  stepEnded('analyse')
  if (!analysis.ok || functions.diagnostics.length > 0 || placement.diagnostics.length > 0) {
    return { ok: false, diagnostics: [...functions.diagnostics, ...placement.diagnostics, ...(analysis.ok ? [] : analysis.diagnostics)] }
  }
  const analysed = analysis.pipeline
  const findings = options.policies === 'off' ? [] : checkPolicies(analysed, options.policies, options.strict)
  const warnings = findings.filter((d) => d.severity === 'warning')
  if (findings.length > warnings.length) return { ok: false, diagnostics: findings.filter((d) => d.severity !== 'warning') }
  warnings.push(...oneOfNotExhaustive(analysed), ...nestedCachingIgnored(analysed), ...optionalInputsWithoutValue(analysed), ...tasksThatNeverRun(analysed))
  const targets = options.targets ?? ['kfp']
  for (const target of targets) warnings.push(...(target === 'argo' ? skippedFanIns(analysed) : kfpPlaceholderHazards(pipeline)))
  stepEnded('checks')
  const files: OutputFile[] = []
  const diagnostics: Diagnostic[] = []
  for (const target of targets) {
    // One function per target: its documents (a large object tree) are garbage once its text is
    // written, instead of living on in this frame while the next target is built.
    const output = target === 'argo' ? argoFile(analysed, options.argo, stepEnded) : kfpFile(analysed, options.kfp, stepEnded)
    if ('diagnostics' in output) diagnostics.push(...output.diagnostics)
    else files.push(output)
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics }
  return { ok: true, files, analysed, warnings }
}

function argoFile(analysed: AnalysedPipeline, options: ArgoOptions | undefined, stepEnded: (step: CompileStep) => void): OutputFile | { readonly diagnostics: readonly Diagnostic[] } {
  // The emitter writes each template's YAML as it measures the objects: the step includes it.
  const argo = emitArgo(analysed, options)
  stepEnded('argo emit')
  if (argo.diagnostics.length > 0) return { diagnostics: argo.diagnostics }
  const issues = validateArgoDocuments(argo.documents)
  stepEnded('argo validate')
  if (issues.length > 0) return { diagnostics: schemaFailures('argo', issues) }
  return outputFileOfBytes(`${analysed.node.name}.argo.yaml`, argo.parts)
}

function kfpFile(analysed: AnalysedPipeline, options: KfpOptions | undefined, stepEnded: (step: CompileStep) => void): OutputFile | { readonly diagnostics: readonly Diagnostic[] } {
  const documents = emitKfp(analysed, options)
  stepEnded('kfp emit')
  const issues = validateKfpDocuments(documents, { floatValue: (value) => (value instanceof YamlFloat ? value.value : undefined) })
  stepEnded('kfp validate')
  if (issues.length > 0) return { diagnostics: schemaFailures('kfp', issues) }
  // A task takes about 2 KB of KFP IR (its task, component and executor); twice that is on the high side.
  const reserve = (analysed.tasks.size + analysed.groups.size) * 4096
  const parts = toYamlDocumentsParts(documents, undefined, kfpHeader(analysed.node), reserve)
  stepEnded('kfp yaml')
  return outputFileOfBytes(`${analysed.node.name}.kfp.yaml`, parts)
}
