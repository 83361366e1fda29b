/** The deterministic zlib encoder used for packaged payloads: round trips, checksums, ratio. */
import { deflateSync, inflateSync } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { deflateDeterministic, huffmanLengths, storedZlib } from '../src/executor/deflate.ts'
import { executorBundle } from '../src/executor/package.ts'

const roundTrip = (bytes: Uint8Array): void => {
  expect(Buffer.from(inflateSync(deflateDeterministic(bytes))).equals(Buffer.from(bytes))).toBe(true)
}

describe('deflateDeterministic', () => {
  it('round-trips edge cases', () => {
    for (const text of ['', 'a', 'ab', 'aaa', 'a'.repeat(100_000), 'abc'.repeat(40_000), '\u0000\u00ff'.repeat(10)]) roundTrip(new TextEncoder().encode(text))
    roundTrip(Uint8Array.from({ length: 70_000 }, (_, i) => (i * 2654435761) >>> 24))
  })

  it('round-trips arbitrary bytes and repetitive text', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 5000 }), (bytes) => roundTrip(bytes)), { numRuns: 200 })
    fc.assert(
      fc.property(fc.array(fc.constantFrom('export ', 'default ', '=>', '{', '}', 'const a', '(x)', ';', '\n', 'é', '🙂'), { maxLength: 3000 }), (parts) =>
        roundTrip(new TextEncoder().encode(parts.join(''))),
      ),
      { numRuns: 100 },
    )
  })

  it('spans several blocks and long distances', () => {
    const text = Array.from({ length: 200_000 }, (_, i) => String.fromCharCode(97 + ((i * 7 + (i >> 9)) % 26))).join('')
    roundTrip(new TextEncoder().encode(text))
  })

  it('is a pure function of its input and close to zlib -9 on the executor bundle', async () => {
    const { code } = await executorBundle()
    const bytes = new TextEncoder().encode(code)
    const ours = deflateDeterministic(bytes)
    expect(Buffer.from(deflateDeterministic(bytes)).equals(Buffer.from(ours))).toBe(true)
    expect(ours.length).toBeLessThan(deflateSync(bytes, { level: 9 }).length * 1.05)
  })

  it('a damaged stream fails its checksum', () => {
    const packed = deflateDeterministic(new TextEncoder().encode('hello world hello world'))
    const damaged = Uint8Array.from(packed)
    damaged[damaged.length - 1] = (damaged[damaged.length - 1] ?? 0) ^ 1
    expect(() => inflateSync(damaged)).toThrow()
  })

  it('stored fallback round-trips', () => {
    for (const n of [0, 1, 65_535, 65_536, 140_000]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => i & 0xff)
      expect(Buffer.from(inflateSync(storedZlib(bytes))).equals(Buffer.from(bytes))).toBe(true)
    }
  })

  it('Huffman code lengths respect the limit and stay complete', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1_000_000 }), { minLength: 2, maxLength: 286 }), fc.constantFrom(7, 15), (freqs, limit) => {
        fc.pre(freqs.length <= 2 ** limit)
        const lengths = huffmanLengths(freqs, limit)
        expect(Math.max(...lengths)).toBeLessThanOrEqual(limit)
        const used = lengths.filter((l) => l > 0)
        if (used.length > 0) expect(used.reduce((s, l) => s + 2 ** -l, 0)).toBeCloseTo(1, 10)
      }),
    )
  })
})
