/**
 * Every example, every KFP parity pipeline (whichever exist in test/parity/pipelines) and the
 * control-flow test pipelines compile to Argo manifests that:
 * - pass `node ../shared/tools/argo-validate.mjs --no-unknown-fields` against schema.json and
 *   against the v4 full CRDs (`--crd-dir`), without warnings;
 * - pass our own strict schema;
 * - describe the same graph as the KFP IR of the same pipeline (tasks, groups, dependencies,
 *   data edges);
 * - are byte-for-byte the same when compiled twice.
 * A pipeline using what Argo cannot express is refused with a diagnostic instead; only the known
 * kinds of refusal are accepted, and each is listed.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import type { AnalysedPipeline } from '../../packages/compiler/src/analyse/graph.ts'
import { emitKfp } from '../../packages/compiler/src/compile.ts'
import { emitArgo } from '../../packages/compiler/src/targets/argo/emit.ts'
import { validateArgoDocuments } from '../../packages/compiler/src/targets/argo/schema.ts'
import { parseYamlPreservingFloats } from '../../packages/compiler/src/writer/yaml.ts'
import { argoGraphShape, kfpGraphShape } from '../../packages/compiler/src/targets/graph-shape.ts'
import { controlFlowPipelines } from './control-flow-pipelines.ts'
import { analysed, argoYaml, examplePipelines, failures, parityPipelines, runArgoValidate, sharedAvailable, warnings, writeTemp } from './helpers.ts'

/** argo-validate.mjs compiles the 2.7 MB CRDs on every run: give it room on a busy machine. */
const VALIDATOR_TIMEOUT = 300_000

/** What the Argo target refuses, by design (see the report in the module notes of scope.ts and importer.ts). */
const KNOWN_REFUSALS: readonly RegExp[] = [
  /cannot express a fan-in of artifacts/,
  /cannot loop over a list of artifacts/,
  /has no Argo artifact driver/,
]

const pipelines = [...(await examplePipelines()), ...(await parityPipelines()), ...controlFlowPipelines]
const kindOf = (name: string) => name.split('/')[0]!

/** Control-flow groups of a pipeline, including those of each nested pipeline task. */
function groupCount(graph: AnalysedPipeline): number {
  let n = graph.groups.size
  for (const task of graph.tasks.values()) if (task.child) n += groupCount(task.child)
  return n
}

describe('examples, parity and control-flow pipelines on the Argo target', () => {
  const results = pipelines.map((p) => {
    const graph = analysed(p.pipeline)
    const { documents, diagnostics } = emitArgo(graph)
    return { ...p, graph, documents, diagnostics }
  })
  const compiled = results.filter((r) => r.diagnostics.length === 0)
  const refused = results.filter((r) => r.diagnostics.length > 0)
  let files: string[] = []
  beforeAll(() => {
    files = writeTemp(compiled.map((c) => ({ name: c.name, text: argoYaml(c.documents) })))
  })

  it('has examples and control-flow pipelines to check', () => {
    expect(compiled.filter((p) => p.name.startsWith('examples/')).length).toBeGreaterThanOrEqual(3)
    expect(compiled.filter((p) => p.name.startsWith('argo-cf/')).length).toBe(controlFlowPipelines.length)
  })

  it('refuses only what Argo cannot express, with a diagnostic saying so', () => {
    const counts = (list: typeof results) => Object.entries(list.reduce<Record<string, number>>((acc, r) => ({ ...acc, [kindOf(r.name)]: (acc[kindOf(r.name)] ?? 0) + 1 }), {})).map(([k, n]) => `${n} ${k}`).join(', ')
    const withGroups = compiled.filter((c) => groupCount(c.graph) > 0).length
    console.log(`Argo target: ${results.length} pipelines, ${compiled.length} compiled (${counts(compiled)}; ${withGroups} with control flow), ${refused.length} refused (${counts(refused)})`)
    for (const r of refused) console.log(`  refused ${r.name}: ${[...new Set(r.diagnostics.map((d) => d.message.replace(/ \(.*$|: .*$|; .*$/, '')))].join(' / ')}`)
    for (const r of refused) for (const d of r.diagnostics) expect(KNOWN_REFUSALS.some((k) => k.test(d.message)), `${r.name}: ${d.message}`).toBe(true)
    expect(refused.filter((r) => !r.name.startsWith('parity/'))).toEqual([])
  })

  it('passes the strict schema of what the target emits', () => {
    for (const c of compiled) expect(validateArgoDocuments(c.documents), c.name).toEqual([])
  })

  it.skipIf(!sharedAvailable).each(['schema', 'crd'] as const)('passes argo-validate.mjs --no-unknown-fields (%s)', (mode) => {
    const run = runArgoValidate(files, mode)
    const count = (kind: string) => compiled.filter((c) => kindOf(c.name) === kind).length
    console.log(
      `argo-validate (${mode === 'crd' ? '--crd-dir v4 CRDs' : 'schema.json'}, --no-unknown-fields): ${count('examples')} examples + ${count('parity')} parity + ${count('argo-cf')} control-flow pipelines, ` +
        `${run.summary.documents} documents: ${run.summary.pass} pass, ${run.summary.fail} fail, ${run.summary.error} error, ${run.summary.withWarnings} with warnings`,
    )
    expect(failures(run)).toEqual([])
    expect(warnings(run)).toEqual([])
    expect(run.summary.pass).toBe(compiled.reduce((n, c) => n + c.documents.length, 0))
  }, VALIDATOR_TIMEOUT)

  it.each(compiled.map((p) => [p.name, p] as const))('%s: the Argo DAG and the KFP IR describe the same graph', (_name, p) => {
    const kfp = kfpGraphShape(JSON.parse(JSON.stringify(emitKfp(p.graph))) as unknown[])
    const argo = argoGraphShape(p.documents)
    expect(argo).toEqual(kfp)
    expect(argo.tasks.length).toBeGreaterThan(0)
    expect(argo.groups.length).toBe(groupCount(p.graph))
  })

  it('counts the cross-target graph check', () => {
    let same = 0
    let groups = 0
    for (const p of compiled) {
      const argo = argoGraphShape(p.documents)
      if (JSON.stringify(argo) === JSON.stringify(kfpGraphShape(JSON.parse(JSON.stringify(emitKfp(p.graph))) as unknown[]))) same++
      groups += argo.groups.length
    }
    console.log(`cross-target graph check (KFP IR vs Argo): ${same}/${compiled.length} pipelines describe the same graph (${groups} control-flow groups)`)
    expect(same).toBe(compiled.length)
  })

  it('reads back as written, also with YAML 1.1 rules', () => {
    // Floats come back wrapped (YamlFloat) to keep `2.0` apart from `2`; Argo reads both as numbers.
    for (const c of compiled) expect(JSON.parse(JSON.stringify(parseYamlPreservingFloats(argoYaml(c.documents)))), c.name).toEqual(c.documents)
  })

  it('writes the same bytes every time', () => {
    for (const c of compiled) expect(argoYaml(emitArgo(analysed(c.pipeline)).documents), c.name).toBe(argoYaml(c.documents))
  })
})
