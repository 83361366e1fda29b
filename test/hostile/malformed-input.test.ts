/**
 * Malformed, hostile and oversized YAML given to the component loaders (`loadComponent`,
 * `loadComponentFile`, `loadPipelineComponents`) and to the CLI (`typeflow import`, `typeflow
 * validate`, run in-process through `main`): every one ends in diagnostics with stable codes and
 * the file's name, never in an exception or a stack trace, and none is quietly accepted.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Diagnostic } from '@typeflow/dsl'
import { component, pipeline, TypeflowError } from '@typeflow/dsl'
import { loadComponent, loadComponentFile, loadPipelineComponents } from '@typeflow/dsl/kfp'
import { compile } from '@typeflow/compiler'
import { typeflowInProcessCatching } from '../cli/in-process.ts'

const STABLE_CODE = /^E_[A-Z][A-Z_]*[A-Z]$/
const dir = mkdtempSync(join(tmpdir(), 'typeflow-malformed-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Case {
  readonly id: string
  readonly why: string
  readonly content: string | Buffer
}

const V1_HEAD = 'name: comp\nimplementation:\n  container:\n    image: alpine\n'
const nested = (depth: number) => `a: ${'['.repeat(depth)}${']'.repeat(depth)}\n`
const deepBlock = (depth: number) => `${Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} 1\n`
const bomb = (levels: number) =>
  `a0: &a0 [x, x, x, x, x, x, x, x, x]\n${Array.from({ length: levels }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]`).join('\n')}\n`
// Deterministic "random" bytes (a linear congruential generator; no seed to remember).
const noise = (length: number) => {
  const out = Buffer.alloc(length)
  let x = 12345
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31
    out[i] = x >>> 16
  }
  return out
}

const CASES: readonly Case[] = [
  // Syntax.
  { id: 'unclosed-flow', why: 'a flow sequence never closed', content: 'name: [unclosed\n' },
  { id: 'unclosed-quote', why: 'a double-quoted scalar never closed', content: 'name: "abc\nimplementation: x\n' },
  { id: 'bad-indent', why: 'a mapping value indented less than its key', content: 'name: x\nimplementation:\n    container:\n  image: a\n' },
  { id: 'tab-indent', why: 'tabs as indentation', content: 'name: x\nimplementation:\n\tcontainer:\n\t\timage: a\n' },
  { id: 'duplicate-keys', why: 'the same key twice: which one wins is reader-dependent', content: `${V1_HEAD}name: other\n` },
  { id: 'nul-byte', why: 'a NUL byte in the text', content: 'name: a\u0000b\nimplementation:\n  container:\n    image: a\n' },
  // Shapes.
  { id: 'empty', why: 'nothing at all', content: '' },
  { id: 'comments-only', why: 'no document', content: '# just a comment\n' },
  { id: 'null-document', why: 'a document that is null', content: '~\n' },
  { id: 'top-level-list', why: 'a sequence, not a mapping', content: '- name: x\n- name: y\n' },
  { id: 'top-level-scalar', why: 'a scalar, not a mapping', content: 'just text\n' },
  { id: 'empty-documents', why: 'only document markers', content: '---\n---\n' },
  // Missing fields and wrong types.
  { id: 'no-implementation', why: 'a v1 component without implementation (and not IR either)', content: 'name: x\ninputs: []\n' },
  { id: 'no-image', why: 'a container without image', content: 'name: x\nimplementation:\n  container:\n    command: [echo]\n' },
  { id: 'image-number', why: 'image is a number', content: 'name: x\nimplementation:\n  container:\n    image: 5\n' },
  { id: 'name-list', why: 'name is a list', content: 'name: [a, b]\nimplementation:\n  container:\n    image: a\n' },
  { id: 'inputs-string', why: 'inputs is a string', content: `${V1_HEAD}inputs: everything\n` },
  { id: 'input-without-name', why: 'an input without a name', content: `${V1_HEAD}inputs:\n- {type: String}\n` },
  { id: 'command-mapping', why: 'command is a mapping', content: `${V1_HEAD}    command: {a: 1}\n` },
  { id: 'bad-placeholder', why: 'an if placeholder without then', content: `${V1_HEAD}    command: [{if: {cond: {isPresent: a}}}]\n` },
  { id: 'unknown-field', why: 'a field no KFP version has', content: `${V1_HEAD}    privileged: true\n` },
  { id: 'ir-components-number', why: 'IR whose components is a number', content: 'pipelineInfo: {name: p}\nroot: {}\ncomponents: 5\n' },
  { id: 'ir-image-number', why: 'IR whose executor image is a number', content: 'pipelineInfo: {name: p}\nroot: {}\ncomponents: {comp-a: {executorLabel: exec-a}}\ndeploymentSpec: {executors: {exec-a: {container: {image: 5}}}}\n' },
  // Hostile YAML features.
  { id: 'python-tag', why: 'a tag unsafe loaders execute', content: 'name: !!python/object/apply:os.system ["id"]\nimplementation:\n  container:\n    image: a\n' },
  { id: 'custom-tag', why: 'an application tag', content: 'name: x\nimplementation:\n  container:\n    image: !secret a\n' },
  { id: 'alias-bomb', why: 'billion laughs: 9^9 strings from a few lines', content: bomb(8) },
  { id: 'deep-flow', why: '20 000 nested flow sequences', content: nested(20_000) },
  { id: 'deep-block', why: '3 000 nested block mappings', content: deepBlock(3_000) },
  // Encodings.
  { id: 'invalid-utf8', why: 'bytes that are not UTF-8 inside a valid component', content: Buffer.concat([Buffer.from('name: x\nimplementation:\n  container:\n    image: "a'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('b"\n')]) },
  { id: 'utf16', why: 'a UTF-16 file with its byte order mark', content: Buffer.from(`\ufeff${V1_HEAD}`, 'utf16le') },
  { id: 'binary', why: '4 KiB of noise', content: noise(4096) },
]

/** Whether a case is refused on its bytes (the text-taking loaders never see bytes). */
const BYTE_LEVEL = new Set(['invalid-utf8', 'utf16'])

function write(id: string, content: string | Buffer): string {
  const file = join(dir, `${id}.yaml`)
  writeFileSync(file, content)
  return file
}

/** Runs a loader; returns its diagnostics, failing on anything thrown that is not a TypeflowError or on success. */
function diagnosticsOf(load: () => unknown): readonly Diagnostic[] {
  try {
    load()
  } catch (error) {
    if (error instanceof TypeflowError) return error.diagnostics
    throw new Error(`threw instead of reporting diagnostics: ${(error as Error)?.stack ?? String(error)}`)
  }
  throw new Error('accepted a malformed file')
}

function expectDiagnostics(diagnostics: readonly Diagnostic[], file?: string): void {
  expect(diagnostics.length).toBeGreaterThan(0)
  for (const d of diagnostics) {
    expect(d.code, d.message).toMatch(STABLE_CODE)
    if (file !== undefined && d.code !== 'E_IO') expect(d.source?.file, d.message).toBe(file)
  }
}

/** Runs the CLI in-process; what it printed, and whether it threw. */
const cli = typeflowInProcessCatching

/** A CLI run that reported diagnostics: exit code 1, JSON diagnostics with stable codes, no stack trace. */
function expectCliDiagnostics(run: Awaited<ReturnType<typeof cli>>): void {
  expect(run.threw === undefined ? undefined : String((run.threw as Error).stack ?? run.threw), 'threw').toBeUndefined()
  expect(run.stdout + run.stderr, 'a stack trace').not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
  expect(run.code).toBe(1)
  const { diagnostics } = JSON.parse(run.stdout) as { diagnostics: Diagnostic[] }
  expectDiagnostics(diagnostics)
}

describe('malformed component files: diagnostics, never exceptions', () => {
  for (const c of CASES) {
    if (!BYTE_LEVEL.has(c.id)) {
      const text = typeof c.content === 'string' ? c.content : c.content.toString('utf8')
      it(`loadComponent: ${c.id} (${c.why})`, () => expectDiagnostics(diagnosticsOf(() => loadComponent(text, `${c.id}.yaml`)), `${c.id}.yaml`))
      it(`loadPipelineComponents: ${c.id}`, () => expectDiagnostics(diagnosticsOf(() => loadPipelineComponents(text, `${c.id}.yaml`)), `${c.id}.yaml`))
    }
    it(`loadComponentFile: ${c.id}`, () => {
      const file = write(c.id, c.content)
      expectDiagnostics(diagnosticsOf(() => loadComponentFile(file)), file)
    })
    for (const command of ['import', 'validate'] as const) {
      it(`typeflow ${command}: ${c.id}`, async () => {
        const file = write(`${command}-${c.id}`, c.content)
        expectCliDiagnostics(await cli(command, file, '--format', 'json'))
      })
    }
  }

  it('the UTF-8 check names the problem', () => {
    const file = write('named-utf8', CASES.find((c) => c.id === 'invalid-utf8')!.content)
    expect(diagnosticsOf(() => loadComponentFile(file)).map((d) => d.message)).toEqual(['file is not valid UTF-8'])
  })

  it('the CLI reports bytes that are not UTF-8 and an alias bomb as the loaders do', async () => {
    const loaderDiagnostics = (c: Case) => diagnosticsOf(() => loadComponentFile(write(`loader-${c.id}`, c.content))).map((d) => [d.code, d.message])
    for (const id of ['invalid-utf8', 'utf16']) {
      const c = CASES.find((x) => x.id === id)!
      for (const command of ['import', 'validate']) {
        const run = await cli(command, write(`cli-${command}-${id}`, c.content), '--format', 'json')
        const { diagnostics } = JSON.parse(run.stdout) as { diagnostics: Diagnostic[] }
        expect(diagnostics.map((d) => [d.code, d.message]), `${command} ${id}`).toEqual(loaderDiagnostics(c))
      }
    }
    const bombCase = CASES.find((x) => x.id === 'alias-bomb')!
    const run = await cli('validate', write('cli-validate-bomb', bombCase.content), '--format', 'json')
    const { diagnostics } = JSON.parse(run.stdout) as { diagnostics: Diagnostic[] }
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual(loaderDiagnostics(bombCase))
  })

  it('an alias bomb is refused before it expands', () => {
    const messages = diagnosticsOf(() => loadComponent(bomb(8))).map((d) => d.message)
    expect(messages).toEqual(['cannot load YAML: too many alias expansions (a YAML bomb?)'])
  })

  it('a handful of aliases (ordinary YAML reuse) still loads', () => {
    const loaded = loadComponent('name: comp\nimplementation:\n  container:\n    image: &img alpine\n    command: [echo, *img, *img]\n')
    expect(loaded.image).toBe('alpine')
  })

  it('a character YAML does not allow is reported with its position', () => {
    const diagnostics = diagnosticsOf(() => loadComponent('name: x\nimage: a\u0007b\n', 'bell.yaml'))
    expect(diagnostics.map((d) => [d.message, d.source])).toEqual([['malformed YAML: character U+0007 is not allowed in YAML', { file: 'bell.yaml', line: 2, column: 9 }]])
  })

  it('a UTF-8 byte order mark is fine', () => {
    const file = write('bom', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(V1_HEAD)]))
    expect(loadComponentFile(file).name).toBe('comp')
  })

  it('a directory or a device is not read (E_IO)', () => {
    for (const path of [dir, '/dev/zero']) {
      const diagnostics = diagnosticsOf(() => loadComponentFile(path))
      expect(diagnostics.map((d) => d.code), path).toEqual(['E_IO'])
    }
  })
})

describe('huge inputs', () => {
  // 50 MB: parsing it would take tens of seconds and gigabytes; it is refused on its size.
  const huge = `name: comp\ndescription: "${'a'.repeat(50 * 1024 * 1024)}"\nimplementation:\n  container:\n    image: alpine\n`

  it('loadComponent and loadPipelineComponents refuse 50 MB of text on its size', () => {
    for (const load of [loadComponent, loadPipelineComponents]) {
      const diagnostics = diagnosticsOf(() => load(huge, 'huge.yaml'))
      expect(diagnostics.map((d) => d.code)).toEqual(['E_COMPONENT_YAML'])
      expect(diagnostics[0]!.message).toMatch(/^file is too large to load \(\d+ bytes; at most \d+\)$/)
    }
  })

  it('loadComponentFile refuses a 50 MB file without reading it', () => {
    const file = write('huge', huge)
    const diagnostics = diagnosticsOf(() => loadComponentFile(file))
    expect(diagnostics[0]!.message).toBe(`file is too large to load (${Buffer.byteLength(huge)} bytes; at most ${16 * 1024 * 1024})`)
  })

  it('the limit counts UTF-8 bytes: 6 M three-byte characters are over it', () => {
    const wide = `name: comp\ndescription: "${'\u6a21'.repeat(6 * 1024 * 1024)}"\nimplementation:\n  container:\n    image: alpine\n`
    expect(wide.length).toBeLessThan(16 * 1024 * 1024)
    expect(diagnosticsOf(() => loadComponent(wide))[0]!.message).toMatch(/too large/)
  })

  it('a large component under the limit (1 MB, 5 000 inputs) loads', () => {
    const inputs = Array.from({ length: 5000 }, (_, i) => `- {name: in${i}, type: String, description: "${'d'.repeat(150)}"}`).join('\n')
    const loaded = loadComponent(`name: comp\ninputs:\n${inputs}\nimplementation:\n  container:\n    image: alpine\n`)
    expect(Object.keys(loaded.inputs)).toHaveLength(5000)
  })

  it('typeflow import and validate report a 17 MB file with diagnostics', async () => {
    const file = write('cli-huge', `name: comp\ndescription: "${'a'.repeat(17 * 1024 * 1024)}"\nimplementation:\n  container:\n    image: alpine\n`)
    for (const command of ['import', 'validate']) expectCliDiagnostics(await cli(command, file, '--format', 'json'))
  })
})

describe('typeflow validate on a compiled file with bytes that are not UTF-8', () => {
  // Read leniently, the bytes would become U+FFFD and the file would be reported valid.
  it('reports the encoding instead of validating the replaced text', async () => {
    const result = compile(pipeline({ name: 'utf8', description: 'DESCRIPTION' }, (dag) => {
      dag.task(component({ name: 'c', image: 'alpine', command: ['true'] }))
    }))
    if (!result.ok) throw new Error('the fixture does not compile')
    const text = result.files[0]!.content
    const at = text.indexOf('description: DESCRIPTION')
    expect(at).toBeGreaterThan(0)
    const bytes = Buffer.concat([Buffer.from(text.slice(0, at + 'description: '.length)), Buffer.from([0xff, 0xfe]), Buffer.from(text.slice(at + 'description: '.length))])
    const run = await cli('validate', write('compiled-bad-utf8', bytes), '--format', 'json')
    expectCliDiagnostics(run)
    expect((JSON.parse(run.stdout) as { diagnostics: Diagnostic[] }).diagnostics.map((d) => [d.code, d.message])).toEqual([['E_COMPONENT_YAML', 'file is not valid UTF-8']])
  })
})
