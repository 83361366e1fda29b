/**
 * Every example and every KFP parity pipeline (whichever exist in test/parity/pipelines) compiles
 * to Argo manifests that:
 * - pass `node ../shared/tools/argo-validate.mjs --no-unknown-fields` against schema.json and
 *   against the v4 full CRDs (`--crd-dir`), without warnings;
 * - pass our own strict schema;
 * - describe the same graph as the KFP IR of the same pipeline (tasks, dependencies, data edges);
 * - are byte-for-byte the same when compiled twice.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { emitKfp } from '../../packages/compiler/src/compile.ts'
import { validateArgoDocuments } from '../../packages/compiler/src/targets/argo/schema.ts'
import { parseYamlPreservingFloats } from '../../packages/compiler/src/writer/yaml.ts'
import { argoGraphShape, kfpGraphShape } from '../../packages/compiler/src/targets/graph-shape.ts'
import { analysed, argoYaml, compileArgo, examplePipelines, failures, parityPipelines, runArgoValidate, sharedAvailable, warnings, writeTemp } from './helpers.ts'

/** argo-validate.mjs compiles the 2.7 MB CRDs on every run: give it room on a busy machine. */
const VALIDATOR_TIMEOUT = 300_000

const pipelines = [...(await examplePipelines()), ...(await parityPipelines())]

describe('examples and parity pipelines on the Argo target', () => {
  const compiled = pipelines.map((p) => ({ ...p, documents: compileArgo(p.pipeline) }))
  let files: string[] = []
  beforeAll(() => {
    files = writeTemp(compiled.map((c) => ({ name: c.name, text: argoYaml(c.documents) })))
  })

  it('has examples to check', () => {
    expect(pipelines.filter((p) => p.name.startsWith('examples/')).length).toBeGreaterThanOrEqual(3)
  })

  it('passes the strict schema of what the target emits', () => {
    for (const c of compiled) expect(validateArgoDocuments(c.documents), c.name).toEqual([])
  })

  it.skipIf(!sharedAvailable).each(['schema', 'crd'] as const)('passes argo-validate.mjs --no-unknown-fields (%s)', (mode) => {
    const run = runArgoValidate(files, mode)
    const examples = compiled.filter((c) => c.name.startsWith('examples/')).length
    console.log(
      `argo-validate (${mode === 'crd' ? '--crd-dir v4 CRDs' : 'schema.json'}, --no-unknown-fields): ${examples} examples + ${compiled.length - examples} parity pipelines, ` +
        `${run.summary.documents} documents: ${run.summary.pass} pass, ${run.summary.fail} fail, ${run.summary.error} error, ${run.summary.withWarnings} with warnings`,
    )
    expect(failures(run)).toEqual([])
    expect(warnings(run)).toEqual([])
    expect(run.summary.pass).toBe(compiled.reduce((n, c) => n + c.documents.length, 0))
  }, VALIDATOR_TIMEOUT)

  it.each(pipelines.map((p) => [p.name, p] as const))('%s: the Argo DAG and the KFP IR describe the same graph', (_name, p) => {
    const graph = analysed(p.pipeline)
    const kfp = kfpGraphShape(JSON.parse(JSON.stringify(emitKfp(graph))) as unknown[])
    const argo = argoGraphShape(compileArgo(p.pipeline))
    expect(argo).toEqual(kfp)
    expect(argo.tasks.length).toBeGreaterThan(0)
  })

  it('reads back as written, also with YAML 1.1 rules', () => {
    for (const c of compiled) expect(parseYamlPreservingFloats(argoYaml(c.documents)), c.name).toEqual(c.documents)
  })

  it('writes the same bytes every time', () => {
    for (const p of pipelines) expect(argoYaml(compileArgo(p.pipeline)), p.name).toBe(argoYaml(compileArgo(p.pipeline)))
  })
})
