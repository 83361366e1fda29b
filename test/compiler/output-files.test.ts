/**
 * What a compile hands back and how it gets to disk: files made as bytes (their text decoded only
 * when read), written from those bytes; and a compile that loads no more than it needs (the
 * TypeScript compiler API only for function components or `typeflow check`, the graph layout only
 * for `typeflow graph`).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { compile, outputFileOfBytes, writeFilesAtomically } from '@typeflow/compiler'
import fraud from '../../examples/fraud-training/pipeline.ts'
import { syntheticPipeline } from '../bench/synthetic.ts'

const root = resolve(import.meta.dirname, '../..')
const scratch = mkdtempSync(join(tmpdir(), 'typeflow-files-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('output files', () => {
  it('are made as bytes: the text is their UTF-8 decoding, and the file still equals { path, content }', () => {
    const result = compile(fraud, { targets: ['kfp', 'argo'] })
    if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'))
    for (const file of result.files) {
      expect(file.bytes, file.path).toBeInstanceOf(Uint8Array)
      expect(file.content).toBe(new TextDecoder().decode(file.bytes))
      expect(file).toEqual({ path: file.path, content: file.content })
      expect(Object.keys(file)).toEqual(['path', 'content'])
    }
  })

  it('are written from their bytes', () => {
    const text = '# ünïcode ✓ 🚀\nname: "{{x}}"\n'
    const file = outputFileOfBytes('a/p.kfp.yaml', new TextEncoder().encode(text))
    const dir = join(scratch, 'bytes')
    expect(writeFilesAtomically(dir, [file, { path: 'b.yaml', content: 'b: 1\n' }])).toHaveLength(2)
    expect(readFileSync(join(dir, 'a/p.kfp.yaml'), 'utf8')).toBe(text)
    expect(readFileSync(join(dir, 'b.yaml'), 'utf8')).toBe('b: 1\n')
    // The bytes are what is written, not a re-encoding of the text.
    writeFilesAtomically(dir, [{ path: 'c.yaml', content: 'from the text\n', bytes: new TextEncoder().encode('from the bytes\n') }])
    expect(readFileSync(join(dir, 'c.yaml'), 'utf8')).toBe('from the bytes\n')
  })

  it('are written from the parts a large output is made in, one after the other', () => {
    const encoded = new TextEncoder().encode(`# ü\n${'line: 1\n'.repeat(50_000)}`)
    const parts = [encoded.subarray(0, 3), encoded.subarray(3, 200_001), encoded.subarray(200_001)]
    const file = outputFileOfBytes('p.kfp.yaml', parts)
    expect(file.parts).toEqual(parts)
    const dir = join(scratch, 'parts')
    writeFilesAtomically(dir, [file])
    expect(Buffer.compare(readFileSync(join(dir, 'p.kfp.yaml')), encoded)).toBe(0)
  })

  it('are written from thousands of parts, many to a system call', () => {
    // More parts than one writev takes (1,024), of every size from empty up.
    const parts = Array.from({ length: 3_000 }, (_, i) => new TextEncoder().encode(`${i}:${'ü'.repeat(i % 7)}\n`.repeat(i % 5)))
    const dir = join(scratch, 'many-parts')
    writeFilesAtomically(dir, [outputFileOfBytes('p.argo.yaml', parts)])
    expect(Buffer.compare(readFileSync(join(dir, 'p.argo.yaml')), Buffer.concat(parts))).toBe(0)
  })

  it('of a large compile come in parts, which are its bytes', () => {
    const result = compile(syntheticPipeline('chain', 3_000), { targets: ['kfp'] })
    if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'))
    const [file] = result.files
    expect(file!.parts!.length).toBeGreaterThan(1)
    expect(Buffer.compare(Buffer.concat(file!.parts!), file!.bytes!)).toBe(0)
    expect(file!.content).toBe(new TextDecoder().decode(file!.bytes))
  })
})

describe('what a compile loads', () => {
  /** Runs the fixture in a fresh process; its last line says what got loaded. */
  const loaded = (example: string, ...cli: string[]) => {
    const args = cli.length > 0 ? [example, join(scratch, `cli-${cli[0]}`), ...cli] : [example]
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/compiler/fixtures/loaded-modules.ts', ...args], { cwd: root, encoding: 'utf8' })
    expect(run.status, run.stderr).toBe(0)
    return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { ok: boolean; typescript: boolean; elkjs: boolean }
  }

  it('leaves the TypeScript compiler API unloaded unless the pipeline has function components', () => {
    expect(loaded('fraud-training')).toEqual({ ok: true, typescript: false, elkjs: false })
    // The check can see it: a pipeline of function components loads it.
    expect(loaded('fn-components')).toEqual({ ok: true, typescript: true, elkjs: false })
  }, 60_000)

  it('`typeflow compile` loads neither the TypeScript compiler API nor the graph layout; `typeflow graph` loads the layout', () => {
    expect(loaded('fraud-training', 'compile', '--target', 'kfp,argo')).toEqual({ ok: true, typescript: false, elkjs: false })
    expect(loaded('fraud-training', 'graph', '--format', 'svg')).toEqual({ ok: true, typescript: false, elkjs: true })
  }, 60_000)
})
