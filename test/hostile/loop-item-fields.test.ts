/**
 * Struct fields of loop items (`item.field(key)`): Argo reads them as `{{item.<key>}}` and KFP as a
 * JSON selector, so a key is written into template text. Every hostile string as a key either
 * compiles to exactly the tags of a plain key, or is refused with E_INVALID_NAME; an empty key
 * is refused too (it once read the whole item).
 */
import { describe, expect, it } from 'vitest'
import { component, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { compile } from '../../packages/compiler/src/index.ts'
import { CORPUS } from './corpus.ts'

const image = `alpine@sha256:${'5'.repeat(64)}`
const echo = component({ name: 'echo', image, inputs: { v: param.string() }, command: ({ inputs }) => ['echo', inputs.v.value] })
const lister = component({ name: 'lister', image, outputs: { items: param.list() }, command: ({ outputs }) => ['list', outputs.items.path] })

/** Both kinds of loop: over a literal list of structs, and over a list known only at run time. */
function pipelines(key: string): PipelineNode[] {
  const literal = pipeline({ name: 'fields' }, (dag) => {
    dag.forEach([{ [key]: 'a' }, { [key]: 'b' }] as { readonly [k: string]: string }[], (item) => {
      dag.task(echo, { v: item.field(key) })
    })
  })
  const runtime = pipeline({ name: 'fields' }, (dag) => {
    const list = dag.task(lister)
    dag.forEach(list.outputs.items, (item) => {
      dag.task(echo, { v: (item as unknown as { field: (k: string) => never }).field(key) })
    })
  })
  return [literal, runtime]
}

const PLAIN = /^[A-Za-z0-9_-]+$/

describe('loop item fields named by hostile strings', () => {
  it.each([...CORPUS.map((s) => [s.id, s.value] as const), ['empty', ''] as const])('%s', (_id, key) => {
    for (const [i, p] of pipelines(key).entries()) {
      const result = compile(p, { targets: ['kfp', 'argo'], policies: 'off' })
      if (!PLAIN.test(key)) {
        expect(result.ok, `loop ${i}`).toBe(false)
        if (!result.ok) expect(result.diagnostics.map((d) => d.code)).toEqual(['E_INVALID_NAME'])
        continue
      }
      expect(result.ok, `loop ${i}`).toBe(true)
      if (!result.ok) continue
      const argo = result.files.find((f) => f.path.endsWith('.argo.yaml'))!.content
      // `{{item}}` hands the whole item to the loop body; fields are read inside it.
      expect(argo.match(/\{\{item\.[^}]*\}\}/g)).toEqual([`{{item.${key}}}`])
    }
  })

  it('a plain key still compiles on both targets', () => {
    for (const p of pipelines('learning_rate-2')) expect(compile(p, { targets: ['kfp', 'argo'], policies: 'off' }).ok).toBe(true)
  })
})
