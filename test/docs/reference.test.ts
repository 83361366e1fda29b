/**
 * The reference parts of the documentation stay true:
 * - `docs/api/*.md` equals a fresh `pnpm docs:api` (scripts/api-docs.ts), and exports without a
 *   doc comment are counted and listed;
 * - docs/README.md links every guide, the migration guide and every API page;
 * - every relative link in docs/ points at a file that exists, and at a heading that exists;
 * - every `typeflow <command>` shown in a shell block or inline code uses a command that exists,
 *   only options that command's `--help` lists, and files that exist.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { generateApiDocs } from '../../scripts/api-docs.ts'
import { main } from '../../packages/cli/src/main.ts'
import { docsRoot, fences, headingAnchors, markdownFiles, prose, relativeLinks, repoRoot } from './markdown.ts'

const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8')

describe('API reference', () => {
  const docs = generateApiDocs()

  it('equals a fresh generation (run `pnpm docs:api` after changing exports or doc comments)', () => {
    console.log(`API reference: ${docs.exportCount} exports in ${docs.files.length} files; ${docs.undocumented.length} without a doc comment, ${docs.withoutExample} without an @example`)
    for (const u of docs.undocumented) console.log(`  no doc comment: ${u.specifier} ${u.name} (${u.kind})`)
    expect(docs.files.map((f) => f.path).sort()).toEqual(readdirSync(path.join(docsRoot, 'api')).sort().map((f) => `docs/api/${f}`))
    for (const file of docs.files) {
      const committed = existsSync(path.join(repoRoot, file.path)) ? read(file.path) : '(missing)'
      expect(committed === file.content, `${file.path} is stale: run \`pnpm docs:api\``).toBe(true)
    }
  })

  it('covers every package entry', () => {
    expect(docs.files.map((f) => f.path).sort()).toEqual(['docs/api/cli.md', 'docs/api/compiler.md', 'docs/api/dsl-kfp.md', 'docs/api/dsl.md', 'docs/api/runtime-load.md', 'docs/api/runtime-runner.md', 'docs/api/runtime.md'])
    expect(docs.exportCount).toBeGreaterThan(100)
    for (const file of docs.files) expect(file.content, file.path).toMatch(/^# `@typeflow\//)
  })
})

describe('links', () => {
  it('the index links every guide, the migration guide and every API page', () => {
    const index = read('docs/README.md')
    const linked = new Set(relativeLinks(index).map((l) => path.posix.normalize(`docs/${l.target}`)))
    const expected = markdownFiles.filter((f) => f !== 'docs/README.md' && !f.startsWith('docs/examples/'))
    expect(expected.filter((f) => !linked.has(f))).toEqual([])
  })

  it('every relative link resolves, anchors included', () => {
    const broken: string[] = []
    for (const doc of markdownFiles) {
      for (const { target, anchor } of relativeLinks(read(doc))) {
        const resolved = target === '' ? doc : path.posix.normalize(path.posix.join(path.posix.dirname(doc), target))
        if (!existsSync(path.join(repoRoot, resolved))) {
          broken.push(`${doc}: ${target} does not exist`)
          continue
        }
        if (anchor !== undefined && resolved.endsWith('.md') && !headingAnchors(read(resolved)).has(anchor)) broken.push(`${doc}: ${resolved} has no heading #${anchor}`)
      }
    }
    expect(broken).toEqual([])
  })
})

describe('CLI invocations shown in the docs', () => {
  afterEach(() => vi.restoreAllMocks())

  /** `typeflow …` command lines: in shell blocks, and in inline code of the prose. */
  const invocations = markdownFiles.flatMap((doc) => {
    const text = read(doc)
    const lines = [
      ...fences(text).filter((f) => f.lang === 'sh').flatMap((f) => f.body.split('\n')),
      ...[...prose(text).matchAll(/`((?:pnpm )?typeflow [^`]+)`/g)].map((m) => m[1]!),
    ]
    return lines
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter((line) => /^(pnpm )?typeflow /.test(line))
      .map((line) => ({ doc, line, words: line.replace(/^pnpm /, '').split(/\s+/).slice(1) }))
  })

  async function helpOf(command: string): Promise<string> {
    let out = ''
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk)
      return true
    })
    const code = await main([command, '--help'])
    vi.restoreAllMocks()
    expect(code, `typeflow ${command} --help`).toBe(0)
    return out
  }

  it('use commands and options that exist, and files that exist', async () => {
    expect(invocations.length).toBeGreaterThan(20)
    const help = new Map<string, string>()
    const problems: string[] = []
    for (const { doc, line, words } of invocations) {
      const [command, ...rest] = words
      if (command === undefined || command.startsWith('-') || command === '<command>') continue
      if (!help.has(command)) help.set(command, await helpOf(command))
      const usage = help.get(command)!
      if (!usage.includes(`typeflow ${command}`)) problems.push(`${doc}: \`${line}\`: no command "${command}"`)
      for (const word of rest) {
        const option = /^(--?[a-z][-a-z]*)/.exec(word)?.[1]
        if (option !== undefined && !new RegExp(`(^|[\\s,\\[])${option}\\b`, 'm').test(usage)) problems.push(`${doc}: \`${line}\`: ${command} has no option ${option}`)
        if (/^docs\/examples\/\S+\.(ts|yaml)$/.test(word) && !existsSync(path.join(repoRoot, word.replace(/\*.*$/, '')))) problems.push(`${doc}: \`${line}\`: ${word} does not exist`)
      }
    }
    console.log(`CLI invocations in the docs: ${invocations.length}, commands: ${[...help.keys()].sort().join(', ')}`)
    expect(problems).toEqual([])
  })
})
