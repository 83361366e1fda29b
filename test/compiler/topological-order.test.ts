/**
 * The order every target names and lists members in: producers first, ties by name in code-unit
 * order. Checked against the definition (take the smallest ready name, again and again) on random
 * graphs with cycles, names outside the graph and characters outside the BMP.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compareNames, topologicalOrder } from '../../packages/compiler/src/analyse/graph.ts'

function byDefinition(names: readonly string[], dependsOn: ReadonlyMap<string, readonly string[]>): { order: string[]; cyclic: string[] } {
  const inGraph = new Set(names)
  const order: string[] = []
  const done = new Set<string>()
  for (;;) {
    const ready = names.filter((n) => !done.has(n) && (dependsOn.get(n) ?? []).every((d) => !inGraph.has(d) || done.has(d)))
    if (ready.length === 0) break
    const next = [...ready].sort(compareNames)[0]!
    done.add(next)
    order.push(next)
  }
  return { order, cyclic: names.filter((n) => !done.has(n)) }
}

const name = fc.string({ unit: fc.constantFrom('a', 'B', 'é', '0', '-', '😀', '\u0000', 'task-1', 'task-10'), maxLength: 3 })
// Both ways of ordering: scanning (up to 16 members) and the heap (more).
const graph = fc
  .oneof(fc.uniqueArray(name, { maxLength: 16 }), fc.uniqueArray(name, { minLength: 17, maxLength: 60 }))
  .chain((names) =>
    fc.tuple(
      fc.constant(names),
      fc.array(fc.array(names.length > 0 ? fc.oneof(fc.constantFrom(...names), fc.constant('outside')) : fc.constant('outside'), { maxLength: 4 }), {
        minLength: names.length,
        maxLength: names.length,
      }),
    ),
  )

describe('topologicalOrder', () => {
  it('takes the smallest ready name each time, and leaves the members on cycles', () => {
    fc.assert(
      fc.property(graph, ([names, deps]) => {
        const dependsOn = new Map(names.map((n, i) => [n, deps[i]!]))
        expect(topologicalOrder(names, dependsOn)).toEqual(byDefinition(names, dependsOn))
      }),
      { seed: 20261124, numRuns: 500 },
    )
  })
})
