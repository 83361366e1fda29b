/**
 * Shared helpers of the Argo target tests: the pipelines to compile (examples and KFP parity
 * pipelines), compiling to Argo, and running `../shared/tools/argo-validate.mjs` on the output.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { PipelineNode } from '@typeflow/dsl'
import { analysePipeline } from '../../packages/compiler/src/analyse/analyse.ts'
import type { AnalysedPipeline } from '../../packages/compiler/src/analyse/graph.ts'
import { emitArgo } from '../../packages/compiler/src/targets/argo/emit.ts'
import type { ArgoOptions } from '../../packages/compiler/src/targets/argo/options.ts'
import { argoYaml } from '../../packages/compiler/src/targets/argo/yaml.ts'

export const repoRoot = path.resolve(import.meta.dirname, '../..')
export const sharedRoot = path.resolve(repoRoot, '../shared')
// The tool only runs when started by its real path (CI links ../shared beside the checkout).
const validatorPath = path.join(sharedRoot, 'tools/argo-validate.mjs')
const validatorScript = existsSync(validatorPath) ? realpathSync(validatorPath) : validatorPath
export const crdDir = path.join(sharedRoot, 'reference/argo/crds')
const goldenRoot = path.join(sharedRoot, 'reference/kfp/golden')

/** Whether ../shared (validator, CRDs, KFP goldens) is there; tests that need it skip otherwise. */
export const sharedAvailable = existsSync(validatorScript) && existsSync(crdDir)
if (!sharedAvailable) console.warn(`[argo tests] ${sharedRoot} not found: skipping the argo-validate.mjs and KFP parity checks`)

/** A named pipeline to compile. */
export interface NamedPipeline {
  readonly name: string
  readonly pipeline: PipelineNode
}

/** The default export of every examples/<name>/pipeline.ts (importing it does not build). */
export async function examplePipelines(): Promise<NamedPipeline[]> {
  const dir = path.join(repoRoot, 'examples')
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, 'pipeline.ts')))
    .map((e) => e.name)
    .sort()
  const out: NamedPipeline[] = []
  for (const name of names) {
    const module = (await import(path.join(dir, name, 'pipeline.ts'))) as { default: PipelineNode }
    out.push({ name: `examples/${name}`, pipeline: module.default })
  }
  return out
}

/** Every test/parity/pipelines/*.ts that exists now, built from its KFP golden. */
export async function parityPipelines(): Promise<NamedPipeline[]> {
  const dir = path.join(repoRoot, 'test/parity/pipelines')
  if (!existsSync(dir) || !existsSync(goldenRoot)) return []
  const out: NamedPipeline[] = []
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
    const module = (await import(path.join(dir, file))) as { golden: string; build: (goldenText: string) => PipelineNode }
    const goldenFile = path.join(goldenRoot, module.golden)
    const text = existsSync(goldenFile) ? readFileSync(goldenFile, 'utf8') : ''
    out.push({ name: `parity/${file.replace(/\.ts$/, '')}`, pipeline: module.build(text) })
  }
  return out
}

/** Analyses a pipeline, failing loudly on diagnostics. */
export function analysed(pipeline: PipelineNode): AnalysedPipeline {
  const result = analysePipeline(pipeline)
  if (!result.ok) throw new Error(`analysis failed: ${result.diagnostics.map((d) => d.message).join('; ')}`)
  return result.pipeline
}

/** Compiles to Argo documents, failing loudly on diagnostics. */
export function compileArgo(pipeline: PipelineNode, options: ArgoOptions = {}): Record<string, unknown>[] {
  const { documents, diagnostics } = emitArgo(analysed(pipeline), options)
  if (diagnostics.length > 0) throw new Error(`Argo emit failed: ${diagnostics.map((d) => `${d.path.join('.')}: ${d.message}`).join('; ')}`)
  return documents
}

/** Writes YAML files into a fresh temp directory; returns their paths. */
export function writeTemp(files: readonly { name: string; text: string }[]): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'typeflow-argo-'))
  return files.map((f) => {
    const file = path.join(dir, `${f.name.replace(/[^-\w.]+/g, '_')}.argo.yaml`)
    writeFileSync(file, f.text)
    return file
  })
}

/** The summary and per-document results of one argo-validate.mjs run. */
export interface ValidatorRun {
  readonly summary: { documents: number; pass: number; fail: number; error: number; skipped: number; withWarnings: number }
  readonly results: readonly { file: string; doc: number; kind?: string; status: string; errors?: string[]; warnings?: string[] }[]
}

/**
 * Runs `node ../shared/tools/argo-validate.mjs --no-unknown-fields [--crd-dir …] --json` on the files.
 * It resolves ajv, ajv-formats and yaml from its working directory, so it runs in
 * packages/compiler (which depends on ajv and yaml; ajv-formats is hoisted from the root).
 */
export function runArgoValidate(files: readonly string[], mode: 'schema' | 'crd'): ValidatorRun {
  const args = [validatorScript, '--no-unknown-fields', '--json', ...(mode === 'crd' ? ['--crd-dir', crdDir] : []), ...files]
  const run = spawnSync(process.execPath, args, { cwd: path.join(repoRoot, 'packages/compiler'), encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 })
  if (run.stdout.trim() === '') throw new Error(`argo-validate.mjs printed nothing (exit ${run.status}): ${run.stderr}`)
  return JSON.parse(run.stdout) as ValidatorRun
}

/** Failures of a validator run, readable in an assertion message. */
export function failures(run: ValidatorRun): string[] {
  return run.results
    .filter((r) => r.status !== 'pass')
    .map((r) => `${path.basename(r.file)}#${r.doc} ${r.status}: ${(r.errors ?? []).slice(0, 5).join('; ')}`)
}

/** Warnings of a validator run (YAML 1.1 ambiguities and the like). */
export function warnings(run: ValidatorRun): string[] {
  return run.results.flatMap((r) => (r.warnings ?? []).map((w) => `${path.basename(r.file)}#${r.doc}: ${w}`))
}

export { argoYaml }
