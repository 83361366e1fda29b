/**
 * nameKeyed() makes the KFP documents' name-keyed objects in V8's dictionary mode: only the speed
 * of adding keys may differ from a plain `{}`. Everything a reader of the documents can see (the
 * prototype, key order, JSON, equality, freezing) must be the same.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { nameKeyed } from '../../packages/compiler/src/targets/kfp/name-keyed.ts'

describe('nameKeyed', () => {
  it('is an ordinary empty object', () => {
    const object = nameKeyed()
    expect(Object.getPrototypeOf(object)).toBe(Object.prototype)
    expect(Object.keys(object)).toEqual([])
    expect(object).toStrictEqual({})
    expect(JSON.stringify(object)).toBe('{}')
  })

  it('reads like a plain object filled the same way, whatever the keys', () => {
    // Names as the pipeline gives them (any text but __proto__, which no object takes as a key),
    // including integer-like ones, which both put first in ascending order.
    const key = fc.oneof(fc.string(), fc.nat({ max: 50 }).map(String)).filter((k) => k !== '__proto__')
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.integer())), (entries) => {
        const keyed = nameKeyed<number>()
        const plain: Record<string, number> = {}
        for (const [k, v] of entries) {
          keyed[k] = v
          plain[k] = v
        }
        expect(Object.keys(keyed)).toEqual(Object.keys(plain))
        expect(JSON.stringify(keyed)).toBe(JSON.stringify(plain))
        const inOrder: string[] = []
        for (const k in keyed) inOrder.push(k)
        expect(inOrder).toEqual(Object.keys(plain))
        expect(keyed).toStrictEqual(plain)
        expect(Object.isFrozen(Object.freeze(keyed))).toBe(true)
      }),
      { seed: 18, numRuns: 300 },
    )
  })
})
