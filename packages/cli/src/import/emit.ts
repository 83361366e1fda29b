/**
 * Prints the import model as a TypeScript module with the TypeScript compiler API (`ts.factory`
 * and `ts.createPrinter`), then formats it lightly: two-space indentation, no semicolons, a blank
 * line between top-level declarations. Template literal contents are never touched.
 *
 * @module
 */
import type { CommandArgNode, IoSpecNode, JsonValue, PlaceholderNode } from '@typeflow/dsl'
import { sanitizeName } from '@typeflow/dsl'
import { kfpPlaceholder } from '@typeflow/dsl/kfp'
import ts from 'typescript'
import type { BodyModel, ContainerModel, ImportModel, PipelineModel, PredicateModel, TaskModel, Value } from './model.ts'
import { optionValues, type OptionTree } from './kubernetes.ts'
import { autoBase, predicateValues, producersOf, valuesIn } from './model.ts'
import { camelCase, isIdentifier, NameScope, pascalCase } from './names.ts'
import { assignable, defaultTypeArgument, kindOfSpec, listTypes, type ListTypes, type ValueKind } from './typing.ts'

const f = ts.factory

/** Everything the DSL exports that generated code may use; reserved at module level. */
const DSL_NAMES = [
  'component', 'pipeline', 'param', 'artifact', 'artifactType', 'concat', 'collected',
  'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or', 'not', 'fmt', 'Task', 'AnyTask', 'PipelineDef', 'ArtifactSpec', 'JsonValue',
  'Artifact', 'Dataset', 'Model', 'Metrics', 'ClassificationMetrics', 'SlicedClassificationMetrics', 'HTML', 'Markdown',
] as const

/** Parameters and locals of generated functions; module constants avoid them. */
const LOCAL_NAMES: ReadonlySet<string> = new Set(['dag', 'p', 'item', 'status', 'inputs', 'outputs', 'ifPresent', 'executorInput', 'executorOutputFile'])

const BUILTIN_TYPES: Readonly<Record<string, string>> = {
  'system.Artifact': 'Artifact',
  'system.Dataset': 'Dataset',
  'system.Model': 'Model',
  'system.Metrics': 'Metrics',
  'system.ClassificationMetrics': 'ClassificationMetrics',
  'system.SlicedClassificationMetrics': 'SlicedClassificationMetrics',
  'system.HTML': 'HTML',
  'system.Markdown': 'Markdown',
}

const PARAM_FACTORY: Readonly<Record<string, string>> = {
  STRING: 'string',
  NUMBER_INTEGER: 'int',
  NUMBER_DOUBLE: 'float',
  BOOLEAN: 'bool',
  LIST: 'list',
  STRUCT: 'struct',
  TASK_FINAL_STATUS: 'finalStatus',
}

const COMPARE: Readonly<Record<string, string>> = { '==': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' }

const WIDTH = 110

/** The raw text of a template literal whose cooked value is `text`. */
function templateRaw(text: string): string {
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    const code = text.charCodeAt(i)
    if (c === '\\') out += '\\\\'
    else if (c === '`') out += '\\`'
    else if (c === '$' && text[i + 1] === '{') out += '\\$'
    else if (c === '\n' || c === '\t') out += c
    else if (c === '\r') out += '\\r'
    else if (code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029 || (code >= 0xd800 && code <= 0xdfff && !isPairedSurrogate(text, i))) {
      out += `\\u${code.toString(16).padStart(4, '0')}`
    } else if (code >= 0xd800 && code <= 0xdbff) {
      out += c + text[i + 1]!
      i++
    } else out += c
  }
  return out
}

function isPairedSurrogate(text: string, i: number): boolean {
  const code = text.charCodeAt(i)
  if (code >= 0xd800 && code <= 0xdbff) {
    const next = text.charCodeAt(i + 1)
    return next >= 0xdc00 && next <= 0xdfff
  }
  if (code >= 0xdc00 && code <= 0xdfff) {
    const prev = text.charCodeAt(i - 1)
    return prev >= 0xd800 && prev <= 0xdbff
  }
  return false
}

/** Multi-line text reads best as a template literal; everything else as a single-quoted string. */
function useTemplate(text: string): boolean {
  return text.trimEnd().includes('\n')
}

function stringLiteral(text: string): ts.Expression {
  if (useTemplate(text)) return f.createNoSubstitutionTemplateLiteral(text, templateRaw(text))
  return ts.setEmitFlags(f.createStringLiteral(text, true), ts.EmitFlags.NoAsciiEscaping)
}

function propertyName(name: string): ts.PropertyName {
  return isIdentifier(name) ? f.createIdentifier(name) : ts.setEmitFlags(f.createStringLiteral(name, true), ts.EmitFlags.NoAsciiEscaping)
}

function access(object: ts.Expression, name: string): ts.Expression {
  return isIdentifier(name)
    ? f.createPropertyAccessExpression(object, name)
    : f.createElementAccessExpression(object, ts.setEmitFlags(f.createStringLiteral(name, true), ts.EmitFlags.NoAsciiEscaping))
}

function call(callee: ts.Expression | string, args: readonly ts.Expression[]): ts.CallExpression {
  return f.createCallExpression(typeof callee === 'string' ? f.createIdentifier(callee) : callee, undefined, args)
}

function method(object: ts.Expression | string, name: string, args: readonly ts.Expression[]): ts.CallExpression {
  return call(f.createPropertyAccessExpression(typeof object === 'string' ? f.createIdentifier(object) : object, name), args)
}

const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed, removeComments: false })
const scratch = ts.createSourceFile('scratch.ts', '', ts.ScriptTarget.Latest, false, ts.ScriptKind.TS)

/** Printed length of a node on one line (for layout decisions). */
function width(node: ts.Node): number {
  const text = printer.printNode(ts.EmitHint.Unspecified, node, scratch)
  return text.includes('\n') ? Infinity : text.length
}

function objectLiteral(entries: readonly (readonly [string, ts.Expression])[], forceMultiLine?: boolean): ts.ObjectLiteralExpression {
  const props = entries.map(([k, v]) =>
    ts.isIdentifier(v) && v.text === k ? f.createShorthandPropertyAssignment(k) : f.createPropertyAssignment(propertyName(k), v),
  )
  const single = f.createObjectLiteralExpression(props, false)
  if (forceMultiLine === false) return single
  return forceMultiLine || width(single) > WIDTH ? f.createObjectLiteralExpression(props, true) : single
}

function arrayLiteral(items: readonly ts.Expression[], forceMultiLine?: boolean): ts.ArrayLiteralExpression {
  const single = f.createArrayLiteralExpression(items, false)
  return forceMultiLine || width(single) > WIDTH ? f.createArrayLiteralExpression(items, true) : single
}

/** A JSON value as a TypeScript literal. */
function jsonLiteral(value: JsonValue): ts.Expression {
  if (value === null) return f.createNull()
  if (typeof value === 'boolean') return value ? f.createTrue() : f.createFalse()
  if (typeof value === 'number') {
    const literal = f.createNumericLiteral(String(Math.abs(value)))
    return value < 0 || Object.is(value, -0) ? f.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, literal) : literal
  }
  if (typeof value === 'string') return stringLiteral(value)
  if (Array.isArray(value)) return arrayLiteral(value.map(jsonLiteral))
  return objectLiteral(Object.entries(value as Record<string, JsonValue>).map(([k, v]) => [k, jsonLiteral(v)] as const))
}

/** A container component as the emitter needs it (from IR or from a v1 component). */
export interface ComponentSource {
  readonly name: string
  readonly description?: string
  readonly inputs: Readonly<Record<string, IoSpecNode>>
  readonly outputs: Readonly<Record<string, IoSpecNode>>
  readonly image: string
  readonly command?: readonly CommandArgNode[]
  readonly args?: readonly CommandArgNode[]
}

/** A module being written: imports, module-level names, artifact types. */
class ModuleWriter {
  readonly names = new NameScope()
  private readonly imports = new Set<string>()
  private readonly typeImports = new Set<string>()
  private readonly artifactTypes = new Map<string, { name: string; statement: ts.Statement }>()

  /** Long texts several components share (the KFP launcher), declared once: text → name. */
  private readonly shared = new Map<string, string>()
  private readonly sharedStatements: ts.Statement[] = []

  constructor() {
    for (const name of DSL_NAMES) this.names.reserve(name)
  }

  /** A module-level name that no parameter or local of the generated functions can shadow. */
  declare(base: string, suffix: string): string {
    return this.names.unique(base, suffix, LOCAL_NAMES)
  }

  /** Declares the long literal arguments that appear in more than one component as constants. */
  shareTexts(components: readonly ComponentSource[]): void {
    const counts = new Map<string, number>()
    for (const c of components) {
      const seen = new Set<string>()
      for (const arg of [...(c.command ?? []), ...(c.args ?? [])]) {
        if (arg.kind !== 'text' || arg.parts.length !== 1 || typeof arg.parts[0] !== 'string') continue
        const text = arg.parts[0]
        if (text.length < 120 || !useTemplate(text) || seen.has(text)) continue
        seen.add(text)
        counts.set(text, (counts.get(text) ?? 0) + 1)
      }
    }
    for (const [text, count] of counts) {
      if (count < 2) continue
      const def = /^def (\w+)\(/m.exec(text)?.[1]
      const base = /pip install/.test(text)
        ? 'pipInstall'
        : /kfp\.dsl\.executor_main/.test(text)
          ? 'executorMain'
          : def !== undefined
            ? `${camelCase(def)}Source`
            : 'script'
      const name = this.declare(base, 'Text')
      this.shared.set(text, name)
      this.sharedStatements.push(
        f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(name, undefined, undefined, stringLiteral(text))], ts.NodeFlags.Const)),
      )
    }
  }

  use(name: string): ts.Identifier {
    this.imports.add(name)
    return f.createIdentifier(name)
  }

  useType(name: string): ts.Identifier {
    this.typeImports.add(name)
    return f.createIdentifier(name)
  }

  artifactType(type: { schemaTitle: string; schemaVersion: string }): ts.Expression {
    const builtin = BUILTIN_TYPES[type.schemaTitle]
    if (builtin && type.schemaVersion === '0.0.1') return this.use(builtin)
    const key = `${type.schemaTitle}@${type.schemaVersion}`
    let known = this.artifactTypes.get(key)
    if (!known) {
      const name = this.declare(pascalCase(type.schemaTitle.split('.').pop() ?? type.schemaTitle), 'Type')
      const args = [stringLiteral(type.schemaTitle), ...(type.schemaVersion !== '0.0.1' ? [stringLiteral(type.schemaVersion)] : [])]
      const statement = f.createVariableStatement(
        [f.createModifier(ts.SyntaxKind.ExportKeyword)],
        f.createVariableDeclarationList([f.createVariableDeclaration(name, undefined, undefined, call(this.use('artifactType'), args))], ts.NodeFlags.Const),
      )
      known = { name, statement }
      this.artifactTypes.set(key, known)
    }
    return f.createIdentifier(known.name)
  }

  /** Type information for list declarations, set once the whole model is known. */
  lists: ListTypes = { pipelineInputs: new Map(), componentOutputs: new Map(), items: new Map() }

  readonly jsonValue = (): ts.TypeNode => f.createTypeReferenceNode(this.useType('JsonValue'))

  /** `param.int({ default: 3 })`, `artifact(Dataset, { optional: true })` … */
  spec(spec: IoSpecNode, direction: 'input' | 'output', typeArgument?: ts.TypeNode): ts.Expression {
    const options: [string, ts.Expression][] = []
    if (spec.kind === 'parameter') {
      const factory = f.createPropertyAccessExpression(this.use('param'), PARAM_FACTORY[spec.type] ?? 'string')
      // A final status is always optional in KFP; the DSL writes that itself.
      if (spec.type === 'TASK_FINAL_STATUS') return call(factory, [])
      if (direction === 'input' && spec.default !== undefined) options.push(['default', jsonLiteral(spec.default)])
      else if (direction === 'input' && spec.optional) options.push(['optional', f.createTrue()])
      if (spec.description !== undefined) options.push(['description', stringLiteral(spec.description)])
      const type = typeArgument ?? (direction === 'input' ? defaultTypeArgument(spec, this.jsonValue) : undefined)
      return f.createCallExpression(factory, type ? [type] : undefined, options.length > 0 ? [objectLiteral(options)] : [])
    }
    if (direction === 'input' && spec.optional) options.push(['optional', f.createTrue()])
    if (spec.description !== undefined) options.push(['description', stringLiteral(spec.description)])
    const factory = spec.isList ? f.createPropertyAccessExpression(this.use('artifact'), 'list') : this.use('artifact')
    return call(factory, [this.artifactType(spec.type), ...(options.length > 0 ? [objectLiteral(options)] : [])])
  }

  specs(specs: Readonly<Record<string, IoSpecNode>>, direction: 'input' | 'output', types?: ReadonlyMap<string, ts.TypeNode>): ts.Expression {
    const entries = Object.entries(specs).map(([name, spec]) => [name, this.spec(spec, direction, types?.get(name))] as const)
    return objectLiteral(entries, entries.length > 3 ? true : undefined)
  }

  /** A command line: a plain array, or a builder over the typed placeholders it uses. */
  commandLine(component: ComponentSource, items: readonly CommandArgNode[]): ts.Expression {
    const used = new Set<string>()
    const placeholder = (ph: PlaceholderNode): ts.Expression | undefined => {
      const named = 'name' in ph ? ph.name : ''
      const input = component.inputs[named]
      const output = component.outputs[named]
      const field = (scope: 'inputs' | 'outputs', leaf: string) => {
        used.add(scope)
        return f.createPropertyAccessExpression(access(f.createIdentifier(scope), named), leaf)
      }
      switch (ph.ref) {
        case 'inputValue':
          return input?.kind === 'parameter' ? field('inputs', 'value') : undefined
        case 'inputPath':
          return input?.kind === 'artifact' && !input.isList ? field('inputs', 'path') : undefined
        case 'inputArtifactList':
          return input?.kind === 'artifact' && input.isList ? field('inputs', 'path') : undefined
        case 'inputUri':
          return input?.kind === 'artifact' ? field('inputs', 'uri') : undefined
        case 'inputMetadata':
          return input?.kind === 'artifact' ? field('inputs', 'metadata') : undefined
        case 'outputPath':
          return output?.kind === 'artifact' ? field('outputs', 'path') : undefined
        case 'outputUri':
          return output?.kind === 'artifact' ? field('outputs', 'uri') : undefined
        case 'outputMetadata':
          return output?.kind === 'artifact' ? field('outputs', 'metadata') : undefined
        case 'outputParameterFile':
          return output?.kind === 'parameter' ? field('outputs', 'path') : undefined
        case 'executorInput':
          used.add('executorInput')
          return f.createIdentifier('executorInput')
        case 'executorOutputFile':
          used.add('executorOutputFile')
          return f.createIdentifier('executorOutputFile')
        default:
          return undefined
      }
    }
    const arg = (node: CommandArgNode): ts.Expression => {
      switch (node.kind) {
        case 'text': {
          const parts: (string | ts.Expression)[] = []
          for (const part of node.parts) {
            const piece = typeof part === 'string' ? part : (placeholder(part) ?? kfpPlaceholder(part))
            const last = parts[parts.length - 1]
            if (typeof piece === 'string' && typeof last === 'string') parts[parts.length - 1] = last + piece
            else parts.push(piece)
          }
          if (parts.length === 0) return stringLiteral('')
          if (parts.length === 1 && typeof parts[0] === 'string' && this.shared.has(parts[0])) return f.createIdentifier(this.shared.get(parts[0])!)
          if (parts.length === 1) return typeof parts[0] === 'string' ? stringLiteral(parts[0]) : parts[0]!
          return template(parts)
        }
        case 'concat':
          return call(this.use('concat'), node.items.map(arg))
        case 'ifPresent': {
          used.add('ifPresent')
          const spec = component.inputs[node.input]
          const name: ts.Expression = spec?.optional
            ? stringLiteral(node.input)
            : f.createAsExpression(stringLiteral(node.input), f.createKeywordTypeNode(ts.SyntaxKind.NeverKeyword))
          return call('ifPresent', [name, arrayLiteral(node.then.map(arg)), ...(node.else !== undefined ? [arrayLiteral(node.else.map(arg))] : [])])
        }
      }
    }
    const list = items.map(arg)
    const multiLine = list.length > 1 && (width(f.createArrayLiteralExpression(list, false)) > WIDTH - 20 || list.some((e) => width(e) === Infinity))
    const array = f.createArrayLiteralExpression(list, multiLine)
    if (used.size === 0) return array
    const order = ['inputs', 'outputs', 'ifPresent', 'executorInput', 'executorOutputFile'].filter((n) => used.has(n))
    const binding = f.createObjectBindingPattern(order.map((n) => f.createBindingElement(undefined, undefined, n)))
    return f.createArrowFunction(undefined, undefined, [f.createParameterDeclaration(undefined, undefined, binding)], undefined, undefined, array)
  }

  /** `component({ name, image, inputs, outputs, command, args })`. */
  component(component: ComponentSource): ts.Expression {
    const entries: [string, ts.Expression][] = [['name', stringLiteral(component.name)]]
    if (component.description !== undefined) entries.push(['description', stringLiteral(component.description)])
    entries.push(['image', stringLiteral(component.image)])
    if (Object.keys(component.inputs).length > 0) entries.push(['inputs', this.specs(component.inputs, 'input')])
    if (Object.keys(component.outputs).length > 0) entries.push(['outputs', this.specs(component.outputs, 'output', this.lists.componentOutputs.get(component as ContainerModel))])
    if (component.command !== undefined) entries.push(['command', this.commandLine(component, component.command)])
    if (component.args !== undefined) entries.push(['args', this.commandLine(component, component.args)])
    return call(this.use('component'), [objectLiteral(entries, true)])
  }

  /** Prints the module: imports, artifact types, then the given declarations. */
  print(declarations: readonly ts.Statement[], header: readonly string[]): string {
    const specifiers = [
      ...[...this.imports].map((n) => [n, false] as const),
      ...[...this.typeImports].filter((n) => !this.imports.has(n)).map((n) => [n, true] as const),
    ]
      .sort(([a], [b]) => a.toLowerCase().localeCompare(b.toLowerCase(), 'en') || (a < b ? -1 : 1))
      .map(([n, typeOnly]) => f.createImportSpecifier(typeOnly, undefined, f.createIdentifier(n)))
    const importDecl = f.createImportDeclaration(undefined, f.createImportClause(undefined, undefined, f.createNamedImports(specifiers)), f.createStringLiteral('@typeflow/dsl', true))
    const statements = [importDecl, ...[...this.artifactTypes.values()].map((t) => t.statement), ...this.sharedStatements, ...declarations]
    const file = f.updateSourceFile(ts.createSourceFile('module.ts', '', ts.ScriptTarget.Latest, false, ts.ScriptKind.TS), statements)
    const printed = printer.printFile(file)
    const comment = header.length > 0 ? `${header.map((l) => `// ${l}`.trimEnd()).join('\n')}\n` : ''
    const body = reformat(printed)
    return comment + (body.endsWith('\n') ? body : `${body}\n`)
  }
}

function template(parts: readonly (string | ts.Expression)[]): ts.Expression {
  // Text and expressions alternate, starting and ending with (possibly empty) text.
  const texts: string[] = []
  const exprs: ts.Expression[] = []
  let pending = ''
  for (const part of parts) {
    if (typeof part === 'string') pending += part
    else {
      texts.push(pending)
      exprs.push(part)
      pending = ''
    }
  }
  texts.push(pending)
  const head = f.createTemplateHead(texts[0]!, templateRaw(texts[0]!))
  const spans = exprs.map((expr, i) => {
    const text = texts[i + 1]!
    const literal = i === exprs.length - 1 ? f.createTemplateTail(text, templateRaw(text)) : f.createTemplateMiddle(text, templateRaw(text))
    return f.createTemplateSpan(expr, literal)
  })
  return f.createTemplateExpression(head, spans)
}

/** Reindents to two spaces, drops statement semicolons and separates top-level declarations. */
function reformat(text: string): string {
  const file = ts.createSourceFile('printed.ts', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const templates: [number, number][] = []
  /** Characters to drop: statement semicolons, a tagged template's space. */
  const semicolons = new Set<number>()
  const inserts = new Map<number, string>()
  const insert = (pos: number, what: string) => inserts.set(pos, (inserts.get(pos) ?? '') + what)
  const visit = (node: ts.Node) => {
    // `(item) => …` rather than `item => …`.
    if (ts.isArrowFunction(node) && node.parameters.length === 1) {
      const param = node.parameters[0]!
      if (text[node.getStart(file)] !== '(') {
        insert(param.getStart(file), '(')
        insert(param.end, ')')
      }
    }
    // fmt`…`, not fmt `…`.
    if (ts.isTaggedTemplateExpression(node)) {
      for (let i = node.tag.end; i < node.template.getStart(file); i++) semicolons.add(i)
    }
    // Type literal members: no semicolons, but for the separators of a one-line literal.
    if (ts.isTypeLiteralNode(node) && node.members.length > 0) {
      const oneLine = !text.slice(node.getStart(file), node.end).includes('\n')
      for (const [i, member] of node.members.entries()) {
        if (text[member.end - 1] === ';' && (!oneLine || i === node.members.length - 1)) semicolons.add(member.end - 1)
      }
    }
    // Trailing commas in literals that span lines.
    if (ts.isObjectLiteralExpression(node) || ts.isArrayLiteralExpression(node)) {
      const items = ts.isObjectLiteralExpression(node) ? node.properties : node.elements
      const last = items[items.length - 1]
      if (last && text.slice(last.end, node.end).includes('\n') && !text.slice(last.end, node.end).trimStart().startsWith(',')) insert(last.end, ',')
    }
    if (ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      templates.push([node.getStart(file), node.end])
    }
    if (
      (ts.isVariableStatement(node) || ts.isExpressionStatement(node) || ts.isReturnStatement(node) || ts.isImportDeclaration(node) || ts.isExportAssignment(node)) &&
      text[node.end - 1] === ';'
    ) {
      semicolons.add(node.end - 1)
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  const topLevel = file.statements.map((s) => s.getStart(file))
  const inTemplate = (pos: number) => templates.some(([start, end]) => pos > start && pos < end)
  let out = ''
  let lineStart = true
  for (let i = 0; i < text.length; i++) {
    if (lineStart && !inTemplate(i)) {
      let spaces = 0
      while (text[i + spaces] === ' ') spaces++
      if (topLevel.includes(i + spaces) && i > 0 && i + spaces !== topLevel[0] && !(ts.isImportDeclaration(file.statements[topLevel.indexOf(i + spaces)]!) && ts.isImportDeclaration(file.statements[topLevel.indexOf(i + spaces) - 1]!))) {
        out += '\n'
      }
      out += ' '.repeat(Math.floor(spaces / 2))
      i += spaces
      lineStart = false
      if (i >= text.length) break
    }
    lineStart = false
    const c = text[i]!
    out += inserts.get(i) ?? ''
    if (semicolons.has(i)) continue
    out += c
    if (c === '\n') lineStart = true
  }
  return out + (inserts.get(text.length) ?? '')
}

// -----------------------------------------------------------------------------------------------
// Pipelines

interface Closure {
  readonly id: string
  readonly parent?: Closure
  /** `let` declarations hoisted to the top of this closure's body. */
  readonly hoisted: ts.Statement[]
}

/** Writes one `pipeline(…)` call. */
class PipelineWriter {
  private readonly names: NameScope
  private readonly taskVars = new Map<string, string>()
  private readonly hoistedTo = new Map<string, string>()
  private readonly declaredIn = new Map<string, string>()
  private readonly closures = new Map<string, Closure>()
  private readonly tasks = new Map<string, TaskModel>()
  private readonly autoNames = new Set<string>()
  private readonly itemVars = new Map<string, string>()
  private readonly usedItems = new Set<string>()
  private statusVar = 'status'
  private usesInputs = false

  constructor(
    private readonly module: ModuleWriter,
    private readonly model: PipelineModel,
    private readonly runnables: ReadonlyMap<object, string>,
  ) {
    this.names = module.names.child()
    this.names.reserve('dag')
    this.names.reserve('p')
    this.plan()
  }

  /** Decides which tasks need a variable, and where it must be declared to be visible. */
  private plan(): void {
    const root: Closure = { id: '', hoisted: [] }
    this.closures.set('', root)
    const refs = new Map<string, Set<string>>()
    const ref = (task: string, closure: string) => {
      let set = refs.get(task)
      if (!set) refs.set(task, (set = new Set()))
      set.add(closure)
    }
    const refValue = (value: Value, closure: string) => {
      for (const t of producersOf(value)) ref(t, closure)
      for (const v of valuesIn(value)) if (v.kind === 'item') this.usedItems.add(v.loop)
    }
    const open = (id: string, parent: string) => this.closures.set(id, { id, parent: this.closures.get(parent)!, hoisted: [] })
    const walk = (body: readonly BodyModel[], closure: string) => {
      for (const node of body) {
        switch (node.kind) {
          case 'task':
            this.tasks.set(node.name, node)
            this.declaredIn.set(node.name, closure)
            for (const [, v] of node.args) refValue(v, closure)
            for (const v of optionValues(node.kubernetes)) refValue(v, closure)
            for (const a of node.after) ref(a, closure)
            break
          case 'if':
            for (const branch of node.branches) {
              for (const v of predicateValues(branch.predicate)) refValue(v, closure)
              open(branch.id, closure)
              walk(branch.body, branch.id)
            }
            break
          case 'loop':
            if (node.items.kind !== 'raw') refValue(node.items.from, closure)
            open(node.id, closure)
            walk(node.body, node.id)
            break
          case 'exit': {
            const exitClosure = `exit-task:${node.id}`
            open(exitClosure, closure)
            this.tasks.set(node.exitTask.name, node.exitTask)
            this.declaredIn.set(node.exitTask.name, exitClosure)
            for (const [, v] of node.exitTask.args) refValue(v, exitClosure)
            for (const v of optionValues(node.exitTask.kubernetes)) refValue(v, exitClosure)
            for (const a of node.exitTask.after) ref(a, exitClosure)
            open(node.id, closure)
            walk(node.body, node.id)
            break
          }
        }
      }
    }
    walk(this.model.body, '')
    for (const [, { from }] of this.model.outputs) refValue(from, '')
    const chain = (id: string): string[] => {
      const out: string[] = []
      for (let c: Closure | undefined = this.closures.get(id); c; c = c.parent) out.unshift(c.id)
      return out
    }
    for (const [task, sites] of [...refs].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const declared = this.declaredIn.get(task)
      if (declared === undefined) continue
      const model = this.tasks.get(task)!
      const base = camelCase(task, 'task')
      const name = this.names.unique(base, 'Task')
      this.taskVars.set(task, name)
      const declChain = chain(declared)
      const visible = declared.startsWith('exit-task:') ? false : [...sites].every((s) => chain(s).slice(0, declChain.length).join('/') === declChain.join('/'))
      if (visible) continue
      // Hoist to the deepest closure enclosing the declaration and every use.
      let common = declChain
      for (const site of sites) {
        const c = chain(site)
        let k = 0
        while (k < common.length && k < c.length && common[k] === c[k]) k++
        common = common.slice(0, k)
      }
      if (declared.startsWith('exit-task:')) common = common.slice(0, Math.min(common.length, declChain.length - 1))
      const target = common[common.length - 1] ?? ''
      this.hoistedTo.set(task, target)
      const type = f.createTypeReferenceNode(this.module.useType('Task'), [this.outputsType(model)])
      const declaration = f.createVariableDeclaration(name, f.createToken(ts.SyntaxKind.ExclamationToken), type)
      this.closures.get(target)!.hoisted.push(f.createVariableStatement(undefined, f.createVariableDeclarationList([declaration], ts.NodeFlags.Let)))
    }
  }

  /** The output specs type of a task's runnable, for a hoisted `let x!: Task<…>`. */
  private outputsType(task: TaskModel): ts.TypeNode {
    const r = task.runnable
    if (r.kind === 'container') return f.createTypeQueryNode(f.createQualifiedName(f.createIdentifier(this.runnables.get(r)!), 'outputs'))
    if (r.kind === 'pipeline') {
      // typeof inner extends PipelineDef<infer _I, infer O> ? O : never
      const o = f.createInferTypeNode(f.createTypeParameterDeclaration(undefined, 'O'))
      const i = f.createInferTypeNode(f.createTypeParameterDeclaration(undefined, '_I'))
      return f.createConditionalTypeNode(
        f.createTypeQueryNode(f.createIdentifier(this.runnables.get(r)!)),
        f.createTypeReferenceNode(this.module.useType('PipelineDef'), [i, o]),
        f.createTypeReferenceNode('O'),
        f.createKeywordTypeNode(ts.SyntaxKind.NeverKeyword),
      )
    }
    const title = f.createLiteralTypeNode(f.createStringLiteral(r.type.schemaTitle, true))
    return f.createTypeLiteralNode([
      f.createPropertySignature(
        [f.createModifier(ts.SyntaxKind.ReadonlyKeyword)],
        'artifact',
        undefined,
        f.createTypeReferenceNode(this.module.useType('ArtifactSpec'), [title, f.createLiteralTypeNode(f.createFalse()), f.createLiteralTypeNode(f.createFalse())]),
      ),
    ])
  }

  /** Parameters of enclosing callbacks (loop items, exit statuses) in scope right now. */
  private readonly active = new Set<string>()

  /**
   * A callback parameter: `item`, or `item2` … when an enclosing callback already uses the name.
   * Sibling callbacks reuse it; task variables and module names are never shadowed.
   */
  private local(base: string): string {
    for (let i = 1; ; i++) {
      const name = i === 1 ? base : `${base}${i}`
      if (!this.active.has(name) && !this.names.has(name)) {
        this.active.add(name)
        return name
      }
    }
  }

  private taskRef(task: string): ts.Expression {
    const name = this.taskVars.get(task)
    if (name === undefined) throw new Error(`no variable for task ${task}`)
    return f.createIdentifier(name)
  }

  value(value: Value): ts.Expression {
    switch (value.kind) {
      case 'constant':
        return jsonLiteral(value.value)
      case 'input':
        this.usesInputs = true
        return access(f.createIdentifier('p'), value.name)
      case 'output':
        return access(f.createPropertyAccessExpression(this.taskRef(value.task), 'outputs'), value.output)
      case 'collected':
        return call(this.module.use('collected'), [access(f.createPropertyAccessExpression(this.taskRef(value.task), 'outputs'), value.output)])
      case 'oneOf':
        return method('dag', 'oneOf', value.options.map((o) => access(f.createPropertyAccessExpression(this.taskRef(o.task), 'outputs'), o.output)))
      case 'item': {
        let expr: ts.Expression = f.createIdentifier(this.itemVars.get(value.loop) ?? 'item')
        for (const field of value.path) expr = method(expr, 'field', [stringLiteral(field)])
        return expr
      }
      case 'status':
        return f.createIdentifier(this.statusVar)
      case 'template': {
        const parts = value.parts.map((part) => (typeof part === 'string' ? part : this.value(part)))
        const literal = parts.some((p) => typeof p !== 'string')
          ? template(parts)
          : f.createNoSubstitutionTemplateLiteral(parts.join(''), templateRaw(parts.join('')))
        return f.createTaggedTemplateExpression(this.module.use('fmt'), undefined, literal as ts.TemplateLiteral)
      }
    }
  }

  /** What TypeScript knows about a value's type (see {@link assignable}). */
  kindOf(value: Value): ValueKind {
    const outputSpec = (task: string, output: string): IoSpecNode | undefined => {
      const r = this.tasks.get(task)?.runnable
      if (!r) return undefined
      if (r.kind === 'container') return r.outputs[output]
      if (r.kind === 'pipeline') return r.outputs.find(([n]) => n === output)?.[1].spec
      return { kind: 'artifact', type: r.type, isList: false, optional: false }
    }
    switch (value.kind) {
      case 'constant': {
        const v = value.value
        return typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : Array.isArray(v) ? 'list' : v !== null ? 'struct' : 'unknown'
      }
      case 'input':
        return kindOfSpec(this.model.inputs[value.name])
      case 'output':
        return kindOfSpec(outputSpec(value.task, value.output))
      case 'collected':
        return kindOfSpec(outputSpec(value.task, value.output), true)
      case 'oneOf':
        return kindOfSpec(outputSpec(value.options[0]!.task, value.options[0]!.output))
      case 'item':
        return this.module.lists.items.get(this.model)?.get(value.loop)?.(value.path) ?? 'unknown'
      case 'status':
        return 'status'
      case 'template':
        return 'string'
    }
  }

  /** A value for an input; cast when the source pipeline passes a value TypeScript would reject. */
  argument(value: Value, spec: IoSpecNode | undefined): ts.Expression {
    const expr = this.value(value)
    if (!spec || assignable(this.kindOf(value), spec)) return expr
    return f.createAsExpression(expr, f.createKeywordTypeNode(ts.SyntaxKind.NeverKeyword))
  }

  private operand(value: Value, other: Value): ts.Expression {
    const expr = this.value(value)
    if (value.kind === 'constant') return expr
    const kind = this.kindOf(value)
    const otherKind = this.kindOf(other)
    const prim = (k: ValueKind) => k === 'string' || k === 'number' || k === 'boolean'
    if (prim(kind) && (!prim(otherKind) || otherKind === kind)) return expr
    return f.createAsExpression(expr, f.createKeywordTypeNode(ts.SyntaxKind.NeverKeyword))
  }

  predicate(p: PredicateModel): ts.Expression {
    switch (p.kind) {
      case 'compare':
        return call(this.module.use(COMPARE[p.op]!), [this.operand(p.left, p.right), this.operand(p.right, p.left)])
      case 'not':
        return call(this.module.use('not'), [this.predicate(p.item)])
      case 'and':
      case 'or':
        return call(this.module.use(p.kind), p.items.map((i) => this.predicate(i)))
    }
  }

  /** An option as code; references print like task arguments (`p.x`, `task.outputs.y`). */
  private optionTree(tree: OptionTree): ts.Expression {
    switch (tree.kind) {
      case 'value':
        return this.value(tree.value)
      case 'array':
        return arrayLiteral(tree.items.map((t) => this.optionTree(t)))
      case 'object':
        return objectLiteral(tree.entries.map(([k, t]) => [k, this.optionTree(t)] as const))
    }
  }

  private taskCall(task: TaskModel): ts.Expression {
    const options: [string, ts.Expression][] = []
    const base = autoBase(task)
    let auto = base
    for (let i = 2; this.autoNames.has(auto); i++) auto = `${base}-${i}`
    if (auto !== task.name) options.push(['name', stringLiteral(task.name)])
    this.autoNames.add(task.name)
    if (task.displayName !== undefined) options.push(['displayName', stringLiteral(task.displayName)])
    if (task.caching === false) options.push(['caching', f.createFalse()])
    else if (task.caching !== undefined) options.push(['caching', objectLiteral([['key', stringLiteral(task.caching.key)]])])
    if (task.retry !== undefined) {
      const r = task.retry
      const entries: [string, ts.Expression][] = [['count', jsonLiteral(r.count)]]
      if (r.backoff !== undefined) entries.push(['backoff', stringLiteral(r.backoff)])
      if (r.factor !== undefined) entries.push(['factor', jsonLiteral(r.factor)])
      if (r.maxBackoff !== undefined) entries.push(['maxBackoff', stringLiteral(r.maxBackoff)])
      options.push(['retry', objectLiteral(entries)])
    }
    if (task.env.length > 0) options.push(['env', objectLiteral(task.env.map(([k, v]) => [k, stringLiteral(v)] as const))])
    if (task.resources !== undefined) {
      const r = task.resources
      const entries: [string, ts.Expression][] = []
      for (const key of ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit'] as const) {
        if (r[key] !== undefined) entries.push([key, stringLiteral(r[key])])
      }
      if (r.accelerator) {
        entries.push(['accelerator', objectLiteral([['type', stringLiteral(r.accelerator.type)], ...(r.accelerator.count !== 1 ? [['count', jsonLiteral(r.accelerator.count)] as const] : [])])])
      }
      options.push(['resources', objectLiteral(entries)])
    }
    if (task.kubernetes !== undefined) options.push(['kubernetes', this.optionTree(task.kubernetes)])
    if (task.ignoreUpstreamFailure) options.push(['ignoreUpstreamFailure', f.createTrue()])
    const optionsArg = options.length > 0 ? [objectLiteral(options)] : []
    const runnable = task.runnable
    if (runnable.kind === 'importer') {
      const uri = task.args.find(([name]) => name === 'uri')?.[1]
      const config: [string, ts.Expression][] = [
        ['uri', uri ? this.argument(uri, { kind: 'parameter', type: 'STRING', optional: false }) : stringLiteral('')],
        ['type', this.module.artifactType(runnable.type)],
      ]
      if (runnable.reimport) config.push(['reimport', f.createTrue()])
      if (runnable.metadata !== undefined) config.push(['metadata', jsonLiteral(runnable.metadata)])
      return this.withAfter(task, method('dag', 'importer', [objectLiteral(config), ...optionsArg]))
    }
    const inputs = runnable.inputs
    const args = task.args.map(([name, v]) => [name, this.argument(v, inputs[name])] as const)
    const argsArg = args.length > 0 || options.length > 0 ? [objectLiteral(args)] : []
    return this.withAfter(task, method('dag', 'task', [f.createIdentifier(this.runnables.get(runnable)!), ...argsArg, ...optionsArg]))
  }

  /** `….after(a, b)` for ordering-only dependencies. */
  private withAfter(task: TaskModel, expr: ts.Expression): ts.Expression {
    return task.after.length > 0 ? method(expr, 'after', task.after.map((a) => this.taskRef(a))) : expr
  }

  /** `const x = dag.task(…)`, `x = dag.task(…)` (hoisted) or a bare `dag.task(…)`. */
  private taskStatement(task: TaskModel): ts.Statement {
    const expr = this.taskCall(task)
    const name = this.taskVars.get(task.name)
    if (name === undefined) return f.createExpressionStatement(expr)
    if (this.hoistedTo.has(task.name)) return f.createExpressionStatement(f.createAssignment(f.createIdentifier(name), expr))
    return f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(name, undefined, undefined, expr)], ts.NodeFlags.Const))
  }

  private block(closure: string, statements: readonly ts.Statement[]): ts.Block {
    return f.createBlock([...this.closures.get(closure)!.hoisted, ...statements], true)
  }

  private arrow(params: readonly string[], body: ts.ConciseBody): ts.ArrowFunction {
    return f.createArrowFunction(undefined, undefined, params.map((n) => f.createParameterDeclaration(undefined, undefined, n)), undefined, undefined, body)
  }

  private groupOptions(displayName: string | undefined, extra: readonly [string, ts.Expression][] = []): ts.Expression[] {
    const entries: [string, ts.Expression][] = [...(displayName !== undefined ? [['displayName', stringLiteral(displayName)] as [string, ts.Expression]] : []), ...extra]
    return entries.length > 0 ? [objectLiteral(entries)] : []
  }

  body(nodes: readonly BodyModel[]): ts.Statement[] {
    const out: ts.Statement[] = []
    for (const node of nodes) {
      switch (node.kind) {
        case 'task':
          out.push(this.taskStatement(node))
          break
        case 'if': {
          let expr: ts.Expression | undefined
          for (const [i, branch] of node.branches.entries()) {
            const fn = this.arrow([], this.block(branch.id, this.body(branch.body)))
            const options = this.groupOptions(branch.displayName)
            if (i === 0) expr = method('dag', 'if', [this.predicate(branch.predicate!), fn, ...options])
            else if (branch.predicate) expr = method(expr!, 'elif', [this.predicate(branch.predicate), fn, ...options])
            else expr = method(expr!, 'else', [fn, ...options])
          }
          out.push(f.createExpressionStatement(expr!))
          break
        }
        case 'loop': {
          const items = node.items.kind === 'raw' ? jsonLiteral(node.items.values as JsonValue) : this.value(node.items.from)
          const params: string[] = []
          if (this.usedItems.has(node.id)) {
            const name = this.local('item')
            this.itemVars.set(node.id, name)
            params.push(name)
          }
          const fn = this.arrow(params, this.block(node.id, this.body(node.body)))
          if (params[0] !== undefined) this.active.delete(params[0])
          const extra: [string, ts.Expression][] = node.parallelism !== undefined ? [['parallelism', jsonLiteral(node.parallelism)]] : []
          // The item type of a list known only at run time, when the DSL would not infer the source's.
          const declared = node.itemSpec
          if (node.items.kind === 'values' && declared?.kind === 'parameter' && declared.type !== inferredItemType(node.id, node.body)) {
            extra.push(['item', this.module.spec({ kind: 'parameter', type: declared.type, optional: false }, 'output')])
          }
          out.push(f.createExpressionStatement(method('dag', 'forEach', [items, fn, ...this.groupOptions(node.displayName, extra)])))
          break
        }
        case 'exit': {
          const usesStatus = node.exitTask.args.some(([, v]) => v.kind === 'status')
          // The status parameter is only in scope in the exit task's callback.
          const statusName = usesStatus ? this.local('status') : undefined
          if (statusName) this.statusVar = statusName
          let exitExpr: ts.Expression = this.taskCall(node.exitTask)
          const exitVar = this.taskVars.get(node.exitTask.name)
          if (exitVar !== undefined) exitExpr = f.createParenthesizedExpression(f.createAssignment(f.createIdentifier(exitVar), exitExpr))
          const exitFn = this.arrow(statusName ? [statusName] : [], exitExpr)
          if (statusName) this.active.delete(statusName)
          const bodyFn = this.arrow([], this.block(node.id, this.body(node.body)))
          out.push(f.createExpressionStatement(method('dag', 'exitHandler', [exitFn, bodyFn, ...this.groupOptions(node.displayName)])))
          break
        }
      }
    }
    return out
  }

  /** The `pipeline({ … }, (dag, p) => { … })` call. */
  write(): ts.Expression {
    const statements = this.body(this.model.body)
    if (this.model.outputs.length > 0) {
      const entries = this.model.outputs.map(([name, { from }]) => [name, this.value(from)] as const)
      statements.push(f.createReturnStatement(objectLiteral(entries)))
    }
    const config: [string, ts.Expression][] = [['name', stringLiteral(this.model.name)]]
    if (this.model.description !== undefined) config.push(['description', stringLiteral(this.model.description)])
    if (this.model.displayName !== undefined) config.push(['displayName', stringLiteral(this.model.displayName)])
    if (this.model.pipelineRoot !== undefined) config.push(['pipelineRoot', stringLiteral(this.model.pipelineRoot)])
    if (Object.keys(this.model.inputs).length > 0) config.push(['inputs', this.module.specs(this.model.inputs, 'input', this.module.lists.pipelineInputs.get(this.model))])
    const params = this.usesInputs ? ['dag', 'p'] : ['dag']
    const fn = this.arrow(params, this.block('', statements))
    // The config shares its line with `export default pipeline(` and the callback's head.
    const single = objectLiteral(config, false)
    return call(this.module.use('pipeline'), [width(single) > WIDTH - 40 ? objectLiteral(config, true) : single, fn])
  }
}

/**
 * The item type the DSL infers for a loop over a run-time list (`itemTypeFromUse`): STRUCT when the
 * body reads a field of the item, LIST/STRUCT when it passes the item to such an input (the last
 * use in declaration order wins), else STRING.
 */
function inferredItemType(loop: string, body: readonly BodyModel[]): string {
  let type = 'STRING'
  const use = (value: Value, consumer?: IoSpecNode) => {
    if (value.kind !== 'item' || value.loop !== loop) return
    if (value.path.length > 0) type = 'STRUCT'
    else if (consumer?.kind === 'parameter' && (consumer.type === 'STRUCT' || consumer.type === 'LIST')) type = consumer.type
  }
  const task = (t: TaskModel) => {
    for (const [input, value] of t.args) use(value, t.runnable.kind === 'importer' ? undefined : t.runnable.inputs[input])
  }
  const visit = (nodes: readonly BodyModel[]) => {
    for (const node of nodes) {
      if (node.kind === 'task') task(node)
      else if (node.kind === 'if') node.branches.forEach((b) => visit(b.body))
      else {
        if (node.kind === 'loop' && node.items.kind !== 'raw') use(node.items.from)
        visit(node.body)
        if (node.kind === 'exit') task(node.exitTask)
      }
    }
  }
  visit(body)
  return type
}

function exportConst(name: string, init: ts.Expression): ts.Statement {
  return f.createVariableStatement(
    [f.createModifier(ts.SyntaxKind.ExportKeyword)],
    f.createVariableDeclarationList([f.createVariableDeclaration(name, undefined, undefined, init)], ts.NodeFlags.Const),
  )
}

/** Header lines: where the module came from and what could not be imported. */
function headerLines(source: string | undefined, warnings: readonly string[]): string[] {
  const lines = [`Generated by \`typeflow import\`${source ? ` from ${source}` : ''}.`]
  if (warnings.length > 0) {
    lines.push('', 'Not imported:')
    for (const w of warnings) lines.push(`- ${w.replace(/\n/g, ' ')}`)
  }
  return lines
}

/** Options for the generated module. */
export interface EmitOptions {
  /** The file the module was imported from, named in its header comment. */
  readonly source?: string
  readonly warnings?: readonly string[]
}

/**
 * Prints a module with one exported component.
 *
 * @example
 * ```ts
 * import { emitComponentModule } from './emit.ts'
 * emitComponentModule({ name: 'hello', image: 'alpine', inputs: {}, outputs: {}, command: [{ kind: 'text', parts: ['echo'] }] })
 * // export const hello = component({ name: 'hello', image: 'alpine', command: ['echo'] })
 * ```
 */
export function emitComponentModule(component: ComponentSource, options: EmitOptions = {}): string {
  const module = new ModuleWriter()
  const name = module.declare(camelCase(sanitizeName(component.name) || component.name, 'component'), 'Component')
  return module.print([exportConst(name, module.component(component))], headerLines(options.source, options.warnings ?? []))
}

/**
 * Prints a pipeline module: components, nested pipelines (innermost first), then the default export.
 *
 * @example
 * ```ts
 * import { emitPipelineModule } from './emit.ts'
 * import { buildModel } from './model.ts'
 * import { parseKfpFile } from './spec.ts'
 * declare const yamlText: string
 * const parsed = parseKfpFile(yamlText)
 * if (parsed.kind !== 'v1-component') console.log(emitPipelineModule(buildModel(parsed.spec)))
 * ```
 */
export function emitPipelineModule(model: ImportModel, options: EmitOptions = {}): string {
  const module = new ModuleWriter()
  const runnables = new Map<object, string>()
  const declarations: ts.Statement[] = []
  // Components in the order the pipelines first use them.
  const seen = new Set<object>()
  const ordered: ContainerModel[] = []
  const nested: PipelineModel[] = []
  const visit = (body: readonly BodyModel[]) => {
    for (const node of body) {
      const tasks = node.kind === 'task' ? [node] : node.kind === 'exit' ? [node.exitTask] : []
      for (const t of tasks) {
        if (seen.has(t.runnable)) continue
        if (t.runnable.kind === 'container') {
          seen.add(t.runnable)
          ordered.push(t.runnable)
        } else if (t.runnable.kind === 'pipeline') {
          seen.add(t.runnable)
          visit(t.runnable.body)
          nested.push(t.runnable)
        }
      }
      if (node.kind === 'if') for (const b of node.branches) visit(b.body)
      else if (node.kind === 'loop' || node.kind === 'exit') visit(node.body)
    }
  }
  visit(model.root.body)
  module.lists = listTypes(model, module.jsonValue)
  module.shareTexts(ordered)
  for (const c of ordered) {
    const name = module.declare(camelCase(c.name, 'component'), 'Component')
    runnables.set(c, name)
    declarations.push(exportConst(name, module.component(c)))
  }
  for (const p of nested) {
    const name = module.declare(camelCase(p.name, 'pipeline'), 'Pipeline')
    runnables.set(p, name)
    declarations.push(exportConst(name, new PipelineWriter(module, p, runnables).write()))
  }
  const root = new PipelineWriter(module, model.root, runnables).write()
  declarations.push(f.createExportAssignment(undefined, undefined, root))
  return module.print(declarations, headerLines(options.source, options.warnings ?? model.warnings))
}
