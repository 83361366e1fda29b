/**
 * A small, deterministic zlib (RFC 1950 / RFC 1951) compressor in plain TypeScript.
 *
 * Why not `node:zlib`? Its output depends on the zlib build (Node ships Chromium's zlib, whose
 * match finder differs by CPU features) and on the Node version (Brotli too), and the packaged
 * code ends up in compiled pipeline YAML, which must be byte-identical on every machine. Output
 * here depends only on the input bytes. Decompression is the standard `zlib.inflateSync`, which
 * every Node has, and the zlib trailer (Adler-32) lets it detect a damaged payload.
 *
 * Algorithm: LZ77 over a 32 KiB window with hash chains and one-step lazy matching (like zlib's
 * `deflate_slow`), then one dynamic-Huffman block per 64 Ki symbols with length-limited codes.
 *
 * @module
 */

const WINDOW = 32_768
const MIN_MATCH = 3
const MAX_MATCH = 258
const MAX_CHAIN = 1024
const HASH_BITS = 15
const BLOCK_SYMBOLS = 65_536

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
]
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

/** Length (3..258) → index into LENGTH_BASE. */
const LENGTH_INDEX = new Uint8Array(MAX_MATCH + 1)
for (let i = 0; i < LENGTH_BASE.length; i++) {
  const end = i + 1 < LENGTH_BASE.length ? (LENGTH_BASE[i + 1] ?? 0) : MAX_MATCH + 1
  for (let len = LENGTH_BASE[i] ?? 0; len < end; len++) LENGTH_INDEX[len] = i
}
LENGTH_INDEX[MAX_MATCH] = 28

function distIndex(dist: number): number {
  let i = DIST_BASE.length - 1
  while ((DIST_BASE[i] ?? 0) > dist) i--
  return i
}

class BitWriter {
  private bytes = new Uint8Array(1024)
  private size = 0
  private buffer = 0
  private count = 0

  private push(byte: number): void {
    if (this.size === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2)
      grown.set(this.bytes)
      this.bytes = grown
    }
    this.bytes[this.size++] = byte
  }

  /** Writes the low `n` bits of `value`, least significant first (n ≤ 16). */
  bits(value: number, n: number): void {
    this.buffer |= (value & ((1 << n) - 1)) << this.count
    this.count += n
    while (this.count >= 8) {
      this.push(this.buffer & 0xff)
      this.buffer >>>= 8
      this.count -= 8
    }
  }

  /** Pads to a byte boundary, then writes raw bytes. */
  alignedBytes(data: ArrayLike<number>): void {
    if (this.count > 0) this.bits(0, 8 - this.count)
    for (let i = 0; i < data.length; i++) this.push(data[i] ?? 0)
  }

  finish(): Uint8Array {
    if (this.count > 0) this.bits(0, 8 - this.count)
    return this.bytes.slice(0, this.size)
  }
}

/**
 * Huffman code lengths for `freqs` (0 = unused symbol), no code longer than `limit` bits, at least
 * two codes when any symbol is used; ties are broken by symbol order, so the result is stable.
 *
 * @example
 * ```ts
 * huffmanLengths([5, 1, 1, 0], 15) // [1, 2, 2, 0]
 * ```
 */
export function huffmanLengths(freqs: readonly number[], limit: number): number[] {
  let f = freqs.slice()
  for (;;) {
    const used = f.map((v, i) => [v, i] as const).filter(([v]) => v > 0)
    const lengths = new Array<number>(f.length).fill(0)
    if (used.length === 0) return lengths
    if (used.length === 1) {
      // A one-symbol code is legal only for distances; give two symbols one bit each instead.
      const only = used[0]?.[1] ?? 0
      lengths[only] = 1
      lengths[only === 0 ? 1 : 0] = 1
      return lengths
    }
    // Nodes: leaves are symbols; internal nodes record children. Ties break by creation order,
    // so the result is a pure function of the frequencies.
    type Node = { weight: number; order: number; symbol: number; left?: Node; right?: Node }
    let order = 0
    const queue: Node[] = used.map(([weight, symbol]) => ({ weight, order: order++, symbol }))
    const byWeight = (a: Node, b: Node) => a.weight - b.weight || a.order - b.order
    queue.sort(byWeight)
    while (queue.length > 1) {
      const left = queue.shift() as Node
      const right = queue.shift() as Node
      const parent: Node = { weight: left.weight + right.weight, order: order++, symbol: -1, left, right }
      let at = queue.findIndex((n) => byWeight(parent, n) < 0)
      if (at === -1) at = queue.length
      queue.splice(at, 0, parent)
    }
    let tooLong = false
    const walk = (node: Node, depth: number): void => {
      if (node.left && node.right) {
        walk(node.left, depth + 1)
        walk(node.right, depth + 1)
      } else {
        lengths[node.symbol] = depth
        if (depth > limit) tooLong = true
      }
    }
    walk(queue[0] as Node, 0)
    if (!tooLong) return lengths
    // Flatten the distribution and try again (converges: equal weights give a balanced tree).
    f = f.map((v) => (v > 0 ? (v >> 1) + 1 : 0))
  }
}

/** Canonical Huffman codes (RFC 1951 §3.2.2), bit-reversed for LSB-first output. */
function canonicalCodes(lengths: readonly number[]): number[] {
  const maxBits = Math.max(0, ...lengths)
  const blCount = new Array<number>(maxBits + 1).fill(0)
  for (const len of lengths) if (len > 0) blCount[len] = (blCount[len] ?? 0) + 1
  const next = new Array<number>(maxBits + 2).fill(0)
  let code = 0
  for (let bits = 1; bits <= maxBits; bits++) {
    code = (code + (blCount[bits - 1] ?? 0)) << 1
    next[bits] = code
  }
  return lengths.map((len) => {
    if (len === 0) return 0
    const c = next[len] ?? 0
    next[len] = c + 1
    let reversed = 0
    for (let i = 0; i < len; i++) reversed |= ((c >> i) & 1) << (len - 1 - i)
    return reversed
  })
}

/** LZ77 tokens: literal bytes (0..255) or matches, stored as parallel arrays. */
interface Tokens {
  /** Literal byte, or 256 + length for a match. */
  readonly sym: number[]
  /** Match distance (0 for literals). */
  readonly dist: number[]
}

function lz77(input: Uint8Array): Tokens {
  const n = input.length
  const head = new Int32Array(1 << HASH_BITS).fill(-1)
  const prev = new Int32Array(n)
  const hash = (i: number) => (((input[i] ?? 0) << 10) ^ ((input[i + 1] ?? 0) << 5) ^ (input[i + 2] ?? 0)) & ((1 << HASH_BITS) - 1)
  const insert = (i: number) => {
    if (i + MIN_MATCH > n) return
    const h = hash(i)
    prev[i] = head[h] ?? -1
    head[h] = i
  }
  const longest = (i: number): [len: number, dist: number] => {
    if (i + MIN_MATCH > n) return [0, 0]
    const max = Math.min(MAX_MATCH, n - i)
    let best = 0
    let bestDist = 0
    let candidate = head[hash(i)] ?? -1
    for (let chain = MAX_CHAIN; candidate >= 0 && i - candidate <= WINDOW && chain > 0; chain--) {
      if (input[candidate + best] === input[i + best]) {
        let len = 0
        while (len < max && input[candidate + len] === input[i + len]) len++
        if (len > best) {
          best = len
          bestDist = i - candidate
          if (len >= max) break
        }
      }
      candidate = prev[candidate] ?? -1
    }
    // A 3-byte match far away costs more bits than three literals.
    if (best === MIN_MATCH && bestDist > 4096) return [0, 0]
    return best >= MIN_MATCH ? [best, bestDist] : [0, 0]
  }

  const sym: number[] = []
  const dist: number[] = []
  let i = 0
  let pending: [number, number] | undefined
  while (i < n) {
    const [len, d] = pending ?? longest(i)
    pending = undefined
    insert(i)
    if (len >= MIN_MATCH) {
      if (len < MAX_MATCH && i + 1 < n) {
        const next = longest(i + 1)
        if (next[0] > len) {
          sym.push(input[i] ?? 0)
          dist.push(0)
          pending = next
          i++
          continue
        }
      }
      sym.push(256 + len)
      dist.push(d)
      for (let j = i + 1; j < i + len; j++) insert(j)
      i += len
    } else {
      sym.push(input[i] ?? 0)
      dist.push(0)
      i++
    }
  }
  return { sym, dist }
}

function writeBlock(out: BitWriter, tokens: Tokens, from: number, to: number, last: boolean): void {
  const litFreq = new Array<number>(286).fill(0)
  const distFreq = new Array<number>(30).fill(0)
  for (let t = from; t < to; t++) {
    const s = tokens.sym[t] ?? 0
    if (s < 256) litFreq[s] = (litFreq[s] ?? 0) + 1
    else {
      const li = 257 + (LENGTH_INDEX[s - 256] ?? 0)
      litFreq[li] = (litFreq[li] ?? 0) + 1
      const di = distIndex(tokens.dist[t] ?? 1)
      distFreq[di] = (distFreq[di] ?? 0) + 1
    }
  }
  litFreq[256] = 1
  const litLen = huffmanLengths(litFreq, 15)
  let distLen = huffmanLengths(distFreq, 15)
  if (distLen.every((l) => l === 0)) distLen = [1, 1, ...new Array<number>(28).fill(0)]
  const litCode = canonicalCodes(litLen)
  const distCode = canonicalCodes(distLen)

  let hlit = 286
  while (hlit > 257 && litLen[hlit - 1] === 0) hlit--
  let hdist = 30
  while (hdist > 1 && distLen[hdist - 1] === 0) hdist--
  const all = [...litLen.slice(0, hlit), ...distLen.slice(0, hdist)]

  // Run-length encode the code lengths (symbols 16: repeat previous, 17/18: zeros).
  const rle: [symbol: number, extra: number, extraBits: number][] = []
  for (let i = 0; i < all.length; ) {
    const len = all[i] ?? 0
    let run = 1
    while (i + run < all.length && all[i + run] === len) run++
    if (len === 0 && run >= 3) {
      const take = Math.min(run, 138)
      rle.push(take >= 11 ? [18, take - 11, 7] : [17, take - 3, 3])
      i += take
    } else if (len !== 0 && run >= 4) {
      rle.push([len, 0, 0])
      const take = Math.min(run - 1, 6)
      rle.push([16, take - 3, 2])
      i += 1 + take
    } else {
      rle.push([len, 0, 0])
      i++
    }
  }
  const clFreq = new Array<number>(19).fill(0)
  for (const [s] of rle) clFreq[s] = (clFreq[s] ?? 0) + 1
  const clLen = huffmanLengths(clFreq, 7)
  const clCode = canonicalCodes(clLen)
  let hclen = 19
  while (hclen > 4 && clLen[CL_ORDER[hclen - 1] ?? 0] === 0) hclen--

  out.bits(last ? 1 : 0, 1)
  out.bits(2, 2)
  out.bits(hlit - 257, 5)
  out.bits(hdist - 1, 5)
  out.bits(hclen - 4, 4)
  for (let i = 0; i < hclen; i++) out.bits(clLen[CL_ORDER[i] ?? 0] ?? 0, 3)
  for (const [s, extra, bits] of rle) {
    out.bits(clCode[s] ?? 0, clLen[s] ?? 0)
    if (bits > 0) out.bits(extra, bits)
  }
  for (let t = from; t < to; t++) {
    const s = tokens.sym[t] ?? 0
    if (s < 256) {
      out.bits(litCode[s] ?? 0, litLen[s] ?? 0)
      continue
    }
    const len = s - 256
    const li = LENGTH_INDEX[len] ?? 0
    out.bits(litCode[257 + li] ?? 0, litLen[257 + li] ?? 0)
    if ((LENGTH_EXTRA[li] ?? 0) > 0) out.bits(len - (LENGTH_BASE[li] ?? 0), LENGTH_EXTRA[li] ?? 0)
    const d = tokens.dist[t] ?? 1
    const di = distIndex(d)
    out.bits(distCode[di] ?? 0, distLen[di] ?? 0)
    if ((DIST_EXTRA[di] ?? 0) > 0) out.bits(d - (DIST_BASE[di] ?? 0), DIST_EXTRA[di] ?? 0)
  }
  out.bits(litCode[256] ?? 0, litLen[256] ?? 0)
}

function adler32(data: Uint8Array): number {
  let a = 1
  let b = 0
  for (let i = 0; i < data.length; ) {
    const end = Math.min(i + 3800, data.length)
    for (; i < end; i++) {
      a += data[i] ?? 0
      b += a
    }
    a %= 65521
    b %= 65521
  }
  return ((b << 16) | a) >>> 0
}

function zlibWrap(body: (out: BitWriter) => void, input: Uint8Array): Uint8Array {
  const out = new BitWriter()
  out.bits(0x78, 8)
  out.bits(0xda, 8)
  body(out)
  const checksum = adler32(input)
  out.alignedBytes([checksum >>> 24, (checksum >>> 16) & 0xff, (checksum >>> 8) & 0xff, checksum & 0xff])
  return out.finish()
}

/**
 * Compresses `input` into a zlib stream that `zlib.inflateSync` decodes; the output depends only
 * on the input bytes.
 *
 * @example
 * ```ts
 * import { inflateSync } from 'node:zlib'
 * const packed = deflateDeterministic(new TextEncoder().encode('hello hello hello'))
 * inflateSync(packed).toString() // 'hello hello hello'
 * ```
 */
export function deflateDeterministic(input: Uint8Array): Uint8Array {
  const tokens = lz77(input)
  return zlibWrap((out) => {
    if (tokens.sym.length === 0) {
      writeBlock(out, tokens, 0, 0, true)
      return
    }
    for (let from = 0; from < tokens.sym.length; from += BLOCK_SYMBOLS) {
      const to = Math.min(from + BLOCK_SYMBOLS, tokens.sym.length)
      writeBlock(out, tokens, from, to, to === tokens.sym.length)
    }
  }, input)
}

/**
 * The same data as a zlib stream of stored (uncompressed) blocks: trivially correct, used as a
 * fallback should the compressor ever fail its own round-trip check.
 *
 * @example
 * ```ts
 * inflateSync(storedZlib(bytes)).equals(Buffer.from(bytes)) // true
 * ```
 */
export function storedZlib(input: Uint8Array): Uint8Array {
  return zlibWrap((out) => {
    let at = 0
    do {
      const len = Math.min(65_535, input.length - at)
      const last = at + len >= input.length
      out.bits(last ? 1 : 0, 1)
      out.bits(0, 2)
      out.alignedBytes([len & 0xff, len >>> 8, ~len & 0xff, (~len >>> 8) & 0xff])
      out.alignedBytes(input.subarray(at, at + len))
      at += len
    } while (at < input.length)
  }, input)
}
