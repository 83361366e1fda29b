/**
 * Writes the API reference, `docs/api/<package>.md`, from the doc comments of what each package
 * exports: every entry in a package's `exports` map (`packages/<pkg>/src/index.ts`, the runtime's
 * `./runner`, the CLI's `main.ts`). For each export: its kind, its signature as declared, its doc
 * comment and its `@example`. Output is deterministic (sorted by name, no dates, no line numbers),
 * so a test can compare the committed files with a fresh generation.
 *
 * `pnpm docs:api` writes the files; `pnpm docs:api --check` only reports whether they are stale.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

/** One public entry point: a package and one subpath of its `exports` map. */
export interface ApiEntry {
  /** `@typeflow/runtime/runner` */
  readonly specifier: string
  /** Absolute path of the entry module. */
  readonly file: string
  /** Where its reference goes, relative to the repository root (`docs/api/runtime-runner.md`). */
  readonly output: string
}

/** An export without a doc comment. */
export interface Undocumented {
  readonly specifier: string
  readonly name: string
  readonly kind: string
}

/** What one generation produced. */
export interface ApiDocs {
  /** Files to write, relative to the repository root, in a stable order. */
  readonly files: readonly { readonly path: string; readonly content: string }[]
  readonly undocumented: readonly Undocumented[]
  /** Exports documented in the reference. */
  readonly exportCount: number
  /** Exports whose doc comment has no `@example`. */
  readonly withoutExample: number
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** Every entry of every `packages/<pkg>/package.json` `exports` map, sorted by specifier. */
export function apiEntries(root = repoRoot): ApiEntry[] {
  const out: ApiEntry[] = []
  const packagesDir = path.join(root, 'packages')
  for (const dir of readdirSync(packagesDir).sort()) {
    const manifestPath = path.join(packagesDir, dir, 'package.json')
    if (!existsSync(manifestPath)) continue
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { name: string; exports?: Record<string, string> }
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      if (typeof target !== 'string' || !target.endsWith('.ts')) continue
      const sub = subpath === '.' ? '' : subpath.replace(/^\.\//, '')
      out.push({
        specifier: sub === '' ? manifest.name : `${manifest.name}/${sub}`,
        file: path.join(packagesDir, dir, target),
        output: `docs/api/${[dir, ...(sub === '' ? [] : [sub.replaceAll('/', '-')])].join('-')}.md`,
      })
    }
  }
  return out.sort((a, b) => compareText(a.specifier, b.specifier))
}

/** Code-unit order: the same on every machine, whatever its locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function compareNames(a: string, b: string): number {
  return compareText(a.toLowerCase(), b.toLowerCase()) || compareText(a, b)
}

function compilerOptions(root: string): ts.CompilerOptions {
  const configPath = path.join(root, 'tsconfig.json')
  const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p))
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'))
  return ts.parseJsonConfigFileContent(config.config, ts.sys, root).options
}

type Declaration = ts.Declaration

/** The kind shown for a declaration. */
function kindOf(decl: Declaration): string {
  if (ts.isFunctionDeclaration(decl)) return 'function'
  if (ts.isClassDeclaration(decl)) return 'class'
  if (ts.isInterfaceDeclaration(decl)) return 'interface'
  if (ts.isTypeAliasDeclaration(decl)) return 'type'
  if (ts.isEnumDeclaration(decl)) return 'enum'
  if (ts.isModuleDeclaration(decl)) return 'namespace'
  if (ts.isVariableDeclaration(decl)) return (ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const) !== 0 ? 'const' : 'let'
  return ts.SyntaxKind[decl.kind]
}

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed })

/** Source text without the `export` / `declare` keywords at its start. */
function stripExport(text: string): string {
  return text.replace(/^(export\s+)?(default\s+)?(declare\s+)?/, '')
}

/** The declaration as written, without bodies or initializers (classes: their public members). */
function signatureOf(decl: Declaration, checker: ts.TypeChecker): string {
  const source = decl.getSourceFile().text
  if (ts.isFunctionDeclaration(decl)) {
    return stripExport(source.slice(decl.getStart(), decl.body ? decl.body.getStart() : decl.end).trim()).replace(/;$/, '')
  }
  if (ts.isInterfaceDeclaration(decl) || ts.isTypeAliasDeclaration(decl) || ts.isEnumDeclaration(decl)) {
    return stripExport(source.slice(decl.getStart(), decl.end).trim())
  }
  if (ts.isVariableDeclaration(decl)) {
    const keyword = kindOf(decl)
    const name = decl.name.getText()
    if (decl.type) return `${keyword} ${name}: ${decl.type.getText()}`
    const type = checker.getTypeAtLocation(decl.name)
    const node = checker.typeToTypeNode(type, decl, ts.NodeBuilderFlags.NoTruncation | ts.NodeBuilderFlags.MultilineObjectLiterals)
    const printed = node ? printer.printNode(ts.EmitHint.Unspecified, node, decl.getSourceFile()) : checker.typeToString(type, decl, ts.TypeFormatFlags.NoTruncation)
    return `${keyword} ${name}: ${printed.replace(/    /g, '  ')}`
  }
  if (ts.isClassDeclaration(decl)) return classSignature(decl)
  return stripExport(source.slice(decl.getStart(), decl.end).trim())
}

function isPublicMember(member: ts.ClassElement): boolean {
  if (member.name && ts.isPrivateIdentifier(member.name)) return false
  const modifiers = ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : []
  if (modifiers.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) return false
  if (ts.getJSDocTags(member).some((t) => t.tagName.text === 'internal')) return false
  return !ts.isClassStaticBlockDeclaration(member) && !ts.isSemicolonClassElement(member)
}

/** A class's header and its public members, each with its doc comment, without bodies. */
function classSignature(decl: ts.ClassDeclaration): string {
  const source = decl.getSourceFile().text
  const open = source.indexOf('{', decl.name ? decl.name.end : decl.getStart())
  const header = stripExport(source.slice(decl.getStart(), open).trim())
  const members: string[] = []
  for (const member of decl.members) {
    if (!isPublicMember(member)) continue
    let cut = member.end
    if ((ts.isMethodDeclaration(member) || ts.isConstructorDeclaration(member) || ts.isGetAccessorDeclaration(member) || ts.isSetAccessorDeclaration(member)) && member.body) {
      cut = member.body.getStart()
    } else if (ts.isPropertyDeclaration(member) && member.initializer && !member.type) {
      // An untyped property: its type comes from the initializer, which is shown then.
      cut = member.end
    } else if (ts.isPropertyDeclaration(member) && member.initializer) {
      cut = member.type!.end
    }
    const text = source
      .slice(member.getFullStart(), cut)
      .replace(/^\s*\n/, '')
      .replace(/[\s;]+$/, '')
    if (ts.isConstructorDeclaration(member) && member.parameters.length === 0 && !ts.getJSDocCommentsAndTags(member).length) continue
    // Parameter properties: callers pass the value; whether the class keeps it privately is no concern of theirs.
    members.push(ts.isConstructorDeclaration(member) ? text.replace(/\b(private|protected|public)\s+(readonly\s+)?/g, '') : text)
  }
  return members.length === 0 ? `${header} {}` : `${header} {\n${members.join('\n')}\n}`
}

/** Doc comment text with `{@link X}` turned into Markdown links to exports of the same page. */
function renderDoc(text: string, anchors: ReadonlyMap<string, string>): string {
  return text.replace(/\{@link(?:code|plain)?\s+([^}\s|]+)(?:\s*\|\s*|\s+)?([^}]*)\}/g, (_, target: string, label: string) => {
    const shown = label.trim() || target
    const anchor = anchors.get(target)
    return anchor ? `[\`${shown}\`](#${anchor})` : `\`${shown}\``
  })
}

function tagText(tag: ts.JSDocTagInfo): string {
  return ts.displayPartsToString(tag.text ?? []).trim()
}

/** An `@example` as a fenced block (examples written without a fence get a `ts` one). */
function renderExample(text: string): string {
  const trimmed = text.trim()
  return trimmed.startsWith('```') ? trimmed : `\`\`\`ts\n${trimmed}\n\`\`\``
}

/** The first sentence, on one line, for the table of exports. */
function summaryOf(doc: string): string {
  const paragraph = doc.split(/\n\s*\n/)[0]!.replace(/\s*\n\s*/g, ' ').trim()
  const sentence = /^(.*?[.!?])(\s|$)/.exec(paragraph)?.[1] ?? paragraph
  return sentence.replace(/\|/g, '\\|')
}

/** The module comment (`@module`) of an entry file: its text and examples. */
function moduleDoc(file: ts.SourceFile): { text: string; examples: string[] } | undefined {
  for (const statement of file.statements) {
    for (const node of ts.getJSDocCommentsAndTags(statement)) {
      if (!ts.isJSDoc(node) || !node.tags?.some((t) => t.tagName.text === 'module')) continue
      const examples = node.tags.filter((t) => t.tagName.text === 'example').map((t) => ts.getTextOfJSDocComment(t.comment) ?? '')
      return { text: ts.getTextOfJSDocComment(node.comment) ?? '', examples }
    }
  }
  return undefined
}

/** GitHub's heading anchors: lowercase, punctuation dropped, `-1`, `-2` … for repeats. */
function anchorFor(name: string, used: Map<string, number>): string {
  const base = name.toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')
  const seen = used.get(base) ?? 0
  used.set(base, seen + 1)
  return seen === 0 ? base : `${base}-${seen}`
}

interface ExportDoc {
  readonly name: string
  readonly kind: string
  readonly signatures: readonly string[]
  readonly sources: readonly string[]
  readonly doc: string
  readonly examples: readonly string[]
  readonly deprecated?: string
}

function describeExport(symbol: ts.Symbol, checker: ts.TypeChecker, root: string): ExportDoc | 'internal' | undefined {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
  const all = target.getDeclarations() ?? []
  // Overloads: show each overload signature, not the implementation.
  const functions = all.filter(ts.isFunctionDeclaration)
  const declarations = functions.length > 1 ? all.filter((d) => !(ts.isFunctionDeclaration(d) && d.body)) : all
  if (declarations.length === 0) return undefined
  const tags = target.getJsDocTags(checker)
  if (tags.some((t) => t.name === 'internal')) return 'internal'
  const deprecated = tags.find((t) => t.name === 'deprecated')
  return {
    name: symbol.getName(),
    kind: [...new Set(declarations.map(kindOf))].join(', '),
    signatures: declarations.map((d) => signatureOf(d, checker)),
    sources: [...new Set(declarations.map((d) => path.relative(root, d.getSourceFile().fileName).split(path.sep).join('/')))],
    doc: ts.displayPartsToString(target.getDocumentationComment(checker)).trim(),
    examples: tags.filter((t) => t.name === 'example').map(tagText),
    ...(deprecated !== undefined && { deprecated: tagText(deprecated) || 'deprecated' }),
  }
}

function renderPage(entry: ApiEntry, file: ts.SourceFile, exports: readonly ExportDoc[], internal: number, root: string): string {
  const used = new Map<string, number>()
  const anchors = new Map<string, string>()
  for (const e of exports) anchors.set(e.name, anchorFor(e.name, used))
  const relative = path.relative(root, entry.file).split(path.sep).join('/')
  const lines: string[] = [
    `# \`${entry.specifier}\``,
    '',
    `<!-- Generated by \`pnpm docs:api\` (scripts/api-docs.ts) from the doc comments of ${relative}; do not edit by hand. -->`,
    '',
  ]
  const module = moduleDoc(file)
  if (module?.text) lines.push(renderDoc(module.text, anchors), '')
  for (const example of module?.examples ?? []) lines.push(renderExample(example), '')
  lines.push(
    `${exports.length} exports${internal > 0 ? ` (${internal} marked \`@internal\` are left out)` : ''}. Back to the [documentation index](../README.md).`,
    '',
    '| export | kind | summary |',
    '|---|---|---|',
  )
  for (const e of exports) lines.push(`| [\`${e.name}\`](#${anchors.get(e.name)}) | ${e.kind} | ${e.doc ? summaryOf(renderDoc(e.doc, anchors)) : '*(no doc comment)*'} |`)
  lines.push('')
  for (const e of exports) {
    lines.push(`### ${e.name}`, '', `${e.kind} · ${e.sources.map((s) => `\`${s}\``).join(', ')}`, '')
    lines.push('```ts', e.signatures.join('\n\n'), '```', '')
    if (e.deprecated) lines.push(`**Deprecated:** ${renderDoc(e.deprecated, anchors)}`, '')
    lines.push(e.doc ? renderDoc(e.doc, anchors) : '*No doc comment.*', '')
    for (const example of e.examples) lines.push('**Example**', '', renderExample(example), '')
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`
}

/** Generates the reference of every entry; writes nothing. */
export function generateApiDocs(root = repoRoot): ApiDocs {
  const entries = apiEntries(root)
  const program = ts.createProgram(
    entries.map((e) => e.file),
    compilerOptions(root),
  )
  const checker = program.getTypeChecker()
  const files: { path: string; content: string }[] = []
  const undocumented: Undocumented[] = []
  let exportCount = 0
  let withoutExample = 0
  for (const entry of entries) {
    const file = program.getSourceFile(entry.file)
    const moduleSymbol = file && checker.getSymbolAtLocation(file)
    if (!file || !moduleSymbol) throw new Error(`cannot read the exports of ${entry.file}`)
    const exports: ExportDoc[] = []
    let internal = 0
    for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
      const described = describeExport(symbol, checker, root)
      if (described === 'internal') internal++
      else if (described) exports.push(described)
    }
    exports.sort((a, b) => compareNames(a.name, b.name))
    for (const e of exports) if (!e.doc) undocumented.push({ specifier: entry.specifier, name: e.name, kind: e.kind })
    exportCount += exports.length
    withoutExample += exports.filter((e) => e.examples.length === 0).length
    files.push({ path: entry.output, content: renderPage(entry, file, exports, internal, root) })
  }
  return { files, undocumented, exportCount, withoutExample }
}

function isEntry(): boolean {
  return process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
}

if (isEntry()) {
  const check = process.argv.includes('--check')
  const docs = generateApiDocs()
  let stale = 0
  for (const file of docs.files) {
    const target = path.join(repoRoot, file.path)
    const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined
    if (current === file.content) continue
    stale++
    if (check) {
      console.log(`stale: ${file.path}`)
      continue
    }
    mkdirSync(path.dirname(target), { recursive: true })
    writeFileSync(target, file.content)
    console.log(`wrote ${file.path}`)
  }
  console.log(`${docs.exportCount} exports in ${docs.files.length} files; ${docs.undocumented.length} without a doc comment, ${docs.withoutExample} without an @example`)
  for (const u of docs.undocumented) console.log(`  ${u.specifier}: ${u.name} (${u.kind})`)
  if (check && stale > 0) {
    console.log('run `pnpm docs:api` to regenerate')
    process.exitCode = 1
  }
}
