/**
 * Function components → container steps.
 *
 * For every container component made by `functionComponent()` (it has a `function` record and no
 * command yet), this pass
 *  1. finds the function in the user's file (the second argument of the call at
 *     `function.location`) with the TypeScript compiler API, and works out its free identifiers:
 *     names it reads but does not declare, skipping property names and type-only references;
 *  2. sorts them out:
 *     - a Node global (see {@link NODE_GLOBALS}): fine, the pod has it;
 *     - bound by an `import` of the user's file: the import is repeated in an entry module
 *       (same specifier, resolved from the user's directory) and bundled with esbuild;
 *       imports of packages listed in `packages` stay external and are installed at run time;
 *     - anything else (a module-level `const`, a variable of an enclosing function, a global the
 *       pod does not have): an `E_FUNCTION_CAPTURE` diagnostic naming the identifier at its
 *       file:line:column — it would be a `ReferenceError` in the pod;
 *  3. packages the bundle with the runtime's packager into `command`/`args` (the executor and the
 *     code travel inside the command; every argument stays far below Linux's 128 KiB limit).
 *
 * When the file cannot be read or the call is not found there, the pass falls back to the
 * function's own text (`function.source`, i.e. `fn.toString()`): then nothing outside the function
 * is known, so every free identifier that is not a Node global is reported.
 *
 * Packages declared in `packages` are left out of the bundle and installed when the pod starts:
 * the command becomes `sh -c '<npm install into $d>; export TMPDIR=$d; exec "$@"' typeflow node -e …`
 * with `d=${TYPEFLOW_DEPS_DIR:-/tmp/typeflow-deps}`. The bootstrap writes the function module under
 * `$TMPDIR`, so Node's ESM resolution finds the packages in `$d/node_modules` (ESM ignores
 * `NODE_PATH`, hence `TMPDIR`). The image then needs `npm` and the pod a registry.
 *
 * Results are cached per component object, so a component shared by many tasks (or compiled
 * twice) is packaged once, and the output is byte-for-byte deterministic.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, dirname, extname, resolve } from 'node:path'
import type TS from 'typescript'
import type { BodyNode, ContainerComponentNode, Diagnostic, PipelineNode, SourceLocation, TaskNode } from '@typeflow/dsl'
import { deepFreeze } from '@typeflow/dsl'
import { parseKfpText } from '@typeflow/dsl/kfp'
import { packageFunctionComponentSync } from '@typeflow/runtime'

/**
 * Identifiers a function may read without declaring them: what an ES module sees as global in
 * Node ≥ 18. Not `require`, `module`, `exports`, `__dirname`, `__filename`: ES modules lack them.
 *
 * @example
 * ```ts
 * NODE_GLOBALS.has('fetch') // true
 * NODE_GLOBALS.has('require') // false: a ReferenceError in an ES module
 * ```
 */
export const NODE_GLOBALS: ReadonlySet<string> = new Set([
  // ECMAScript
  'globalThis', 'undefined', 'NaN', 'Infinity', 'eval', 'isFinite', 'isNaN', 'parseFloat', 'parseInt',
  'decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'escape', 'unescape',
  'Object', 'Function', 'Array', 'Number', 'String', 'Boolean', 'Symbol', 'BigInt', 'Math', 'JSON', 'Date',
  'RegExp', 'Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError',
  'AggregateError', 'Promise', 'Proxy', 'Reflect', 'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef',
  'FinalizationRegistry', 'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Atomics', 'Intl', 'WebAssembly',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
  // Node
  'console', 'process', 'Buffer', 'global', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval',
  'setImmediate', 'clearImmediate', 'queueMicrotask', 'structuredClone', 'performance', 'crypto', 'navigator',
  'URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder', 'AbortController', 'AbortSignal', 'Event', 'EventTarget',
  'MessageChannel', 'MessagePort', 'MessageEvent', 'BroadcastChannel', 'Blob', 'File', 'atob', 'btoa', 'DOMException',
  'fetch', 'FormData', 'Headers', 'Request', 'Response', 'ReadableStream', 'WritableStream', 'TransformStream',
  'TextEncoderStream', 'TextDecoderStream', 'CompressionStream', 'DecompressionStream',
])

/**
 * Where npm packages declared by a component are installed in the pod, unless the pod sets
 * `TYPEFLOW_DEPS_DIR`.
 *
 * @example
 * ```ts
 * `${FUNCTION_DEPS_DIR}/node_modules/lodash` // where `packages: ['lodash@4.17.21']` ends up
 * ```
 */
export const FUNCTION_DEPS_DIR = '/tmp/typeflow-deps'

/**
 * The outcome of the pass: the pipeline with every function component packaged, and what went wrong.
 *
 * @example
 * ```ts
 * const { pipeline: packaged, diagnostics }: FunctionComponentsResult = packageFunctionComponents(pipeline)
 * ```
 */
export interface FunctionComponentsResult {
  /** The pipeline with packaged components (the same object when it has no function components). */
  readonly pipeline: PipelineNode
  readonly diagnostics: readonly Diagnostic[]
}

interface Problem {
  readonly message: string
  readonly source?: SourceLocation
}

type Outcome = { readonly ok: true; readonly node: ContainerComponentNode } | { readonly ok: false; readonly problems: readonly Problem[] }

const requireHere = createRequire(import.meta.url)

// The compiler API is 9 MB of JavaScript: importing it cost every compile ~0.7 s of start-up and
// ~140 MiB of RSS under tsx (0.27 s and 60 MiB through require). Only function components need
// it (and esbuild); all of their work starts in packageOne, which loads both.
let ts: typeof TS
// esbuild is the runtime's dependency (its packager bundles the executor with it); use that copy.
let esbuild: EsbuildApi

const outcomes = new WeakMap<ContainerComponentNode, Outcome>()

/**
 * Packages every function component of a pipeline (nested pipelines included) into a container
 * command. Components without a `function` record, and tasks and groups that contain none, are
 * returned as they are.
 *
 * @example
 * ```ts
 * const { pipeline: packaged, diagnostics } = packageFunctionComponents(pipeline)
 * if (diagnostics.length === 0) compile(packaged) // command and args are filled in
 * ```
 */
export function packageFunctionComponents(pipeline: PipelineNode): FunctionComponentsResult {
  const diagnostics: Diagnostic[] = []
  const reported = new Set<ContainerComponentNode>()
  const files = new Map<string, ParsedFile | undefined>()
  const pipelines = new Map<PipelineNode, PipelineNode>()

  const mapTask = (task: TaskNode): TaskNode => {
    const { component } = task
    let next = component
    if (component.kind === 'pipeline') next = mapPipeline(component)
    else if (component.kind === 'container' && component.function !== undefined && component.command === undefined) {
      let outcome = outcomes.get(component)
      if (outcome === undefined) {
        outcome = packageOne(component, files)
        outcomes.set(component, outcome)
      }
      if (outcome.ok) next = outcome.node
      else if (!reported.has(component)) {
        reported.add(component)
        for (const p of outcome.problems) {
          diagnostics.push({
            code: 'E_FUNCTION_CAPTURE',
            path: ['tasks', task.name, 'component', component.name],
            message: p.message,
            ...(p.source !== undefined && { source: p.source }),
          })
        }
      }
    }
    return next === component ? task : Object.freeze({ ...task, component: next })
  }

  const mapBody = (body: readonly BodyNode[]): readonly BodyNode[] => {
    const mapped = body.map(mapNode)
    return mapped.every((node, i) => node === body[i]) ? body : Object.freeze(mapped)
  }

  const mapNode = (node: BodyNode): BodyNode => {
    switch (node.kind) {
      case 'task':
        return mapTask(node)
      case 'condition': {
        const body = mapBody(node.body)
        return body === node.body ? node : Object.freeze({ ...node, body })
      }
      case 'loop': {
        const body = mapBody(node.body)
        return body === node.body ? node : Object.freeze({ ...node, body })
      }
      case 'branches': {
        const branches = node.branches.map((b) => mapNode(b) as typeof b)
        return branches.every((b, i) => b === node.branches[i]) ? node : Object.freeze({ ...node, branches: Object.freeze(branches) })
      }
      case 'exitHandler': {
        const body = mapBody(node.body)
        const exitTask = mapTask(node.exitTask)
        return body === node.body && exitTask === node.exitTask ? node : Object.freeze({ ...node, body, exitTask })
      }
    }
  }

  const mapPipeline = (p: PipelineNode): PipelineNode => {
    let mapped = pipelines.get(p)
    if (mapped === undefined) {
      const body = mapBody(p.body)
      mapped = body === p.body ? p : Object.freeze({ ...p, body })
      pipelines.set(p, mapped)
    }
    return mapped
  }

  return { pipeline: mapPipeline(pipeline), diagnostics }
}

// ---------------------------------------------------------------------------------------------
// Finding the function and its free identifiers

interface ParsedFile {
  readonly sourceFile: TS.SourceFile
  readonly checker: TS.TypeChecker
  /** Whether the text parses without syntax errors. */
  readonly parses: boolean
}

/** A function found in a parsed file, with where its text came from. */
interface FoundFunction {
  readonly file: ParsedFile
  readonly node: TS.FunctionLikeDeclaration
  /** True when found in the user's file; false when parsed from `fn.toString()` alone. */
  readonly inUserFile: boolean
}

function scriptKind(file: string): TS.ScriptKind {
  switch (extname(file).toLowerCase()) {
    case '.ts':
    case '.mts':
    case '.cts':
      return ts.ScriptKind.TS
    case '.tsx':
      return ts.ScriptKind.TSX
    case '.jsx':
      return ts.ScriptKind.JSX
    default:
      return ts.ScriptKind.JS
  }
}

/**
 * Parses one file and binds it (no lib, no imports followed): enough for the checker to resolve
 * each name to its declaration in this file, or to nothing for globals.
 */
function parse(fileName: string, text: string): ParsedFile {
  const sourceFile = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, scriptKind(fileName))
  const options: TS.CompilerOptions = { noLib: true, noResolve: true, allowJs: true, noEmit: true, types: [] }
  const host = ts.createCompilerHost(options, true)
  host.getSourceFile = (name) => (name === fileName ? sourceFile : undefined)
  host.fileExists = (name) => name === fileName
  host.readFile = (name) => (name === fileName ? text : undefined)
  const program = ts.createProgram({ rootNames: [fileName], options, host })
  return { sourceFile, checker: program.getTypeChecker(), parses: program.getSyntacticDiagnostics(sourceFile).length === 0 }
}

function userFile(file: string, files: Map<string, ParsedFile | undefined>): ParsedFile | undefined {
  if (!files.has(file)) {
    let parsed: ParsedFile | undefined
    try {
      if (existsSync(file)) parsed = parse(file, readFileSync(file, 'utf8'))
    } catch {
      parsed = undefined
    }
    files.set(file, parsed)
  }
  return files.get(file)
}

function unwrap(node: TS.Expression): TS.Expression {
  while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isNonNullExpression(node) || ts.isTypeAssertionExpression(node)) {
    node = node.expression
  }
  return node
}

/** The function an argument denotes: a function literal, or a function declared in the same file. */
function functionOf(argument: TS.Expression, file: ParsedFile): TS.FunctionLikeDeclaration | undefined {
  const node = unwrap(argument)
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return node
  if (!ts.isIdentifier(node)) return undefined
  for (const declaration of file.checker.getSymbolAtLocation(node)?.declarations ?? []) {
    if (declaration.getSourceFile() !== file.sourceFile) continue
    if (ts.isFunctionDeclaration(declaration) && declaration.body !== undefined) return declaration
    if (ts.isVariableDeclaration(declaration) && declaration.initializer !== undefined) {
      const init = unwrap(declaration.initializer)
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init
    }
  }
  return undefined
}

/** The `functionComponent(config, fn)` call at a stack-trace location: the innermost call whose callee spans it. */
function findCall(file: ParsedFile, location: SourceLocation): TS.CallExpression | undefined {
  const sf = file.sourceFile
  const lines = sf.getLineStarts()
  if (location.line < 1 || location.line > lines.length) return undefined
  const position = lines[location.line - 1]! + location.column - 1
  let best: TS.CallExpression | undefined
  let sameLine: TS.CallExpression | undefined
  const visit = (node: TS.Node): void => {
    if (position < node.getFullStart() - 1 || position > node.end) return
    if (ts.isCallExpression(node) && node.arguments.length >= 2) {
      if (node.getStart() <= position && position <= node.arguments.pos) best = node
      else if (sameLine === undefined && sf.getLineAndCharacterOfPosition(node.getStart()).line === location.line - 1) sameLine = node
    }
    ts.forEachChild(node, visit)
  }
  visit(sf)
  return best ?? sameLine
}

function locate(component: ContainerComponentNode, files: Map<string, ParsedFile | undefined>): FoundFunction | Problem {
  const fn = component.function!
  const location = fn.location
  if (location !== undefined) {
    const file = userFile(location.file, files)
    const call = file && findCall(file, location)
    const node = call && call.arguments[1] && functionOf(call.arguments[1], file)
    if (file && node) return { file, node, inUserFile: true }
  }
  // Fallback: the function's own text.
  const wrapped = `const __typeflow_fn = (\n${fn.source}\n);\n`
  const file = parse('/__typeflow__/function.js', wrapped)
  const statement = file.sourceFile.statements[0]
  const init = statement && ts.isVariableStatement(statement) ? statement.declarationList.declarations[0]?.initializer : undefined
  const node = init && unwrap(init)
  if (node && file.parses && (ts.isArrowFunction(node) || ts.isFunctionExpression(node))) return { file, node, inUserFile: false }
  return {
    message: `the function of component "${component.name}" cannot be shipped: its text (${JSON.stringify(fn.source.slice(0, 40))}…) is not a function expression; pass an arrow function or a function expression`,
    ...(location !== undefined && { source: location }),
  }
}

/** Whether an identifier is read as a value (not a property name, label, or type). */
function isValueReference(id: TS.Identifier): boolean {
  const p = id.parent
  if ((ts.isPropertyAccessExpression(p) || ts.isQualifiedName(p)) && (ts.isPropertyAccessExpression(p) ? p.name : p.right) === id) return false
  if (
    (ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isGetAccessorDeclaration(p) ||
      ts.isSetAccessorDeclaration(p) || ts.isPropertySignature(p) || ts.isMethodSignature(p) || ts.isEnumMember(p) || ts.isJsxAttribute(p)) &&
    p.name === id
  ) {
    return false
  }
  if (ts.isBindingElement(p) && p.propertyName === id) return false
  if ((ts.isLabeledStatement(p) || ts.isBreakStatement(p) || ts.isContinueStatement(p)) && p.label === id) return false
  if (ts.isMetaProperty(p)) return false
  return true
}

/** Every identifier read as a value inside `root`, skipping type positions. */
function valueIdentifiers(root: TS.Node): TS.Identifier[] {
  const found: TS.Identifier[] = []
  const visit = (node: TS.Node): void => {
    if (ts.isIdentifier(node)) {
      if (isValueReference(node)) found.push(node)
      return
    }
    if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isTypeParameterDeclaration(node)) return
    if (ts.isHeritageClause(node) && node.token === ts.SyntaxKind.ImplementsKeyword) return
    if (ts.isExpressionWithTypeArguments(node)) return visit(node.expression)
    if (ts.isTypeNode(node)) return
    ts.forEachChild(node, visit)
  }
  visit(root)
  return found
}

type ImportBinding = TS.ImportClause | TS.ImportSpecifier | TS.NamespaceImport

/** The free identifiers of a function, sorted out; imports are deduplicated by binding. */
interface FreeIdentifiers {
  readonly imports: readonly ImportBinding[]
  readonly problems: readonly Problem[]
  /** `__name` (esbuild's keepNames helper, which tsx adds to `fn.toString()`) is read. */
  readonly usesNameHelper: boolean
}

function locationOf(sf: TS.SourceFile, node: TS.Node): SourceLocation {
  const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart())
  return { file: sf.fileName, line: line + 1, column: character + 1 }
}

function freeIdentifiers(component: ContainerComponentNode, found: FoundFunction): FreeIdentifiers {
  const { sourceFile: sf, checker } = found.file
  const root = found.node
  const inside = (node: TS.Node) => node.getSourceFile() === sf && node.pos >= root.pos && node.end <= root.end
  const imports: ImportBinding[] = []
  // Each offending name is reported once, at its first use.
  const offending = new Map<string, { first: TS.Identifier; declarations: readonly TS.Declaration[]; typeOnly: boolean; uses: number }>()
  let usesNameHelper = false

  for (const id of valueIdentifiers(root)) {
    const name = id.text
    const symbol = ts.isShorthandPropertyAssignment(id.parent) && id.parent.name === id
      ? checker.getShorthandAssignmentValueSymbol(id.parent)
      : checker.getSymbolAtLocation(id)
    const declarations = symbol?.declarations ?? []
    if (symbol !== undefined && declarations.length === 0) continue // intrinsic: undefined, arguments, globalThis
    if (declarations.some(inside)) continue
    const binding = declarations.find((d): d is ImportBinding => ts.isImportClause(d) || ts.isImportSpecifier(d) || ts.isNamespaceImport(d))
    if (binding !== undefined && !isTypeOnlyImport(binding)) {
      if (!imports.includes(binding)) imports.push(binding)
      continue
    }
    if (symbol === undefined && NODE_GLOBALS.has(name)) continue
    // `typeof someGlobal` is how code probes for a global; it never throws.
    if (symbol === undefined && ts.isTypeOfExpression(id.parent)) continue
    if (symbol === undefined && name === '__name' && !found.inUserFile) {
      usesNameHelper = true
      continue
    }
    const seen = offending.get(name)
    if (seen) seen.uses++
    else offending.set(name, { first: id, declarations, typeOnly: binding !== undefined, uses: 1 })
  }

  const problems: Problem[] = []
  for (const [name, { first, declarations, typeOnly, uses }] of offending) {
    let reason: string
    if (typeOnly) reason = 'it is imported with `import type`, which is erased at run time; import it as a value'
    else if (declarations.length > 0) {
      const declaredLine = sf.getLineAndCharacterOfPosition(declarations[0]!.getStart()).line + 1
      reason = `it is declared outside the function (line ${declaredLine}), and only the function and what it imports are shipped to the pod; move it inside the function, or into a module the function imports`
    } else reason = 'it is neither declared in the function, imported, nor a Node global, so it would be a ReferenceError in the pod'
    const more = uses > 1 ? ` (used ${uses} times)` : ''
    if (found.inUserFile) {
      problems.push({ message: `function component "${component.name}" uses "${name}"${more}: ${reason}`, source: locationOf(sf, first) })
    } else {
      // Line 1 of the parsed text is the wrapper, so this is the line within the function's text.
      const line = sf.getLineAndCharacterOfPosition(first.getStart()).line
      const at = component.function?.location
      problems.push({
        message: `function component "${component.name}" uses "${name}" on line ${line} of the function${more}: ${reason} (the compiler could not find the function in its file, so it checked the function's text alone)`,
        ...(at !== undefined && { source: at }),
      })
    }
  }
  return { imports, problems, usesNameHelper }
}

function isTypeOnlyImport(binding: ImportBinding): boolean {
  let node: TS.Node = binding
  while (!ts.isImportClause(node)) node = node.parent
  return node.isTypeOnly || (ts.isImportSpecifier(binding) && binding.isTypeOnly) || importDeclarationOf(binding) === undefined
}

/** The `import` statement a binding belongs to (undefined for a JSDoc `@import`, which is type-only). */
function importDeclarationOf(binding: ImportBinding): TS.ImportDeclaration | undefined {
  let node: TS.Node = binding
  while (!ts.isImportDeclaration(node) && !ts.isSourceFile(node)) node = node.parent
  return ts.isImportDeclaration(node) ? node : undefined
}

// ---------------------------------------------------------------------------------------------
// Bundling and packaging

/** The subset of esbuild's API this pass uses. */
interface EsbuildApi {
  buildSync(options: Record<string, unknown>): { readonly outputFiles: readonly { readonly text: string }[] }
}

interface EsbuildMessage {
  readonly text: string
  readonly location?: { readonly file: string; readonly line: number; readonly column: number } | null
}

/**
 * The imports the function needs, as statements: one per `import` declaration of the user's file,
 * in file order, with only the bindings the function reads (same specifier, same attributes).
 */
function importStatements(bindings: readonly ImportBinding[]): { text: string; declaration: TS.ImportDeclaration }[] {
  const byDeclaration = new Map<TS.ImportDeclaration, ImportBinding[]>()
  for (const binding of bindings) {
    const declaration = importDeclarationOf(binding)!
    byDeclaration.set(declaration, [...(byDeclaration.get(declaration) ?? []), binding])
  }
  const statements: { text: string; declaration: TS.ImportDeclaration }[] = []
  for (const declaration of [...byDeclaration.keys()].sort((a, b) => a.pos - b.pos)) {
    const used = byDeclaration.get(declaration)!.sort((a, b) => a.pos - b.pos)
    const attributes = declaration.attributes ? ` ${declaration.attributes.getText()}` : ''
    const tail = ` from ${JSON.stringify((declaration.moduleSpecifier as TS.StringLiteral).text)}${attributes}`
    const clause: string[] = []
    const named: string[] = []
    for (const binding of used) {
      if (ts.isImportClause(binding)) clause.push(binding.name!.text)
      else if (ts.isNamespaceImport(binding)) statements.push({ text: `import * as ${binding.name.text}${tail}`, declaration })
      else named.push(binding.propertyName ? `${binding.propertyName.getText()} as ${binding.name.text}` : binding.name.text)
    }
    if (named.length > 0) clause.push(`{ ${named.join(', ')} }`)
    if (clause.length > 0) statements.push({ text: `import ${clause.join(', ')}${tail}`, declaration })
  }
  return statements
}

/** The function's text, ready to follow `export default`. */
function functionText(node: TS.FunctionLikeDeclaration): string {
  return node.getText().replace(/^export\s+(default\s+)?/, '')
}

/**
 * The bundle's entry module. The function keeps the line and column it has in the user's file
 * (blank lines above it, `export default` on the line before), so with the inline source map a
 * stack trace in the pod names the user's own file:line:column. The imports come after it: ES
 * imports are hoisted, so their place does not matter.
 */
function entryModule(found: FoundFunction, imports: readonly string[], nameHelper: boolean): { text: string; firstImportLine: number } {
  const head: string[] = []
  if (found.inUserFile) {
    const text = functionText(found.node)
    const { line, character } = found.file.sourceFile.getLineAndCharacterOfPosition(found.node.getEnd() - text.length)
    if (line >= 1) head.push(...Array<string>(line - 1).fill(''), 'export default', `${' '.repeat(character)}${text}`)
    else head.push(`export default ${text}`)
  } else {
    head.push(...(nameHelper ? [NAME_HELPER] : []), 'export default (', found.file.sourceFile.text.slice(found.node.getStart(), found.node.getEnd()), ')')
  }
  return { text: [...head, ...imports, ''].join('\n'), firstImportLine: head.length + 1 }
}

/** A package spec's name: `@scope/name@^1` → `@scope/name`. */
function packageName(spec: string): string {
  const at = spec.indexOf('@', 1)
  return at < 0 ? spec : spec.slice(0, at)
}

function loaderFor(file: string): string {
  const kind = scriptKind(file)
  return kind === ts.ScriptKind.TS ? 'ts' : kind === ts.ScriptKind.TSX ? 'tsx' : kind === ts.ScriptKind.JSX ? 'jsx' : 'js'
}

/** Lets bundled CommonJS code `require()` Node builtins and run-time packages from an ES module. */
const REQUIRE_SHIM = 'import { createRequire as __typeflowCreateRequire } from "node:module";\nconst require = __typeflowCreateRequire(import.meta.url);'
const NAME_HELPER = 'const __name = (target, value) => Object.defineProperty(target, "name", { value, configurable: true });'

function bundle(component: ContainerComponentNode, found: FoundFunction, free: FreeIdentifiers): { code: string } | { problems: Problem[] } {
  const fn = component.function!
  const userPath = found.inUserFile ? found.file.sourceFile.fileName : undefined
  const dir = userPath !== undefined ? dirname(userPath) : process.cwd()
  const imports = importStatements(free.imports)
  const entry = entryModule(found, imports.map((i) => i.text), free.usesNameHelper)
  // Named after the user's file, so the source map points stack traces at its lines.
  const sourcefile = userPath !== undefined ? basename(userPath) : `${component.name.replace(/[^\w-]/g, '_') || 'component'}.js`
  const external = fn.packages.map(packageName).flatMap((name) => [name, `${name}/*`])
  const build = (banner: string) =>
    esbuild.buildSync({
      stdin: { contents: entry.text, loader: userPath !== undefined ? loaderFor(userPath) : 'js', resolveDir: dir, sourcefile },
      absWorkingDir: dir,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node18',
      external,
      banner: { js: banner },
      legalComments: 'none',
      charset: 'ascii',
      sourcemap: 'inline',
      sourcesContent: false,
      write: false,
      logLevel: 'silent',
    }).outputFiles[0]?.text
  try {
    let code = build('')
    // Bundled CommonJS calls esbuild's `__require`, which needs a `require` in scope.
    if (code?.includes('__require(')) code = build(REQUIRE_SHIM)
    if (code === undefined) return { problems: [{ message: `esbuild produced no bundle for function component "${component.name}"` }] }
    return { code }
  } catch (error) {
    const messages = ((error as { errors?: EsbuildMessage[] }).errors ?? []) as EsbuildMessage[]
    if (messages.length === 0) messages.push({ text: (error as Error).message })
    return {
      problems: messages.map((m) => {
        let source: SourceLocation | undefined
        const loc = m.location
        const importIndex = loc && loc.file === sourcefile ? loc.line - entry.firstImportLine : -1
        if (importIndex >= 0 && importIndex < imports.length) {
          source = locationOf(found.file.sourceFile, imports[importIndex]!.declaration)
        } else if (loc && loc.file === sourcefile && userPath !== undefined) {
          // The entry keeps the function at its own lines and columns.
          source = { file: userPath, line: loc.line, column: loc.column + 1 }
        } else if (loc && loc.file !== sourcefile) {
          source = { file: resolve(dir, loc.file), line: loc.line, column: loc.column + 1 }
        } else if (fn.location !== undefined) source = fn.location
        return {
          message: `function component "${component.name}": cannot bundle what the function imports: ${m.text}`,
          ...(source !== undefined && { source }),
        }
      }),
    }
  }
}

/**
 * The shell prefix that installs run-time packages before starting node: `npm install` into
 * `$TYPEFLOW_DEPS_DIR` (default {@link FUNCTION_DEPS_DIR}), then `TMPDIR` points there, so the
 * bootstrap writes the function module below it and Node's ESM resolution (which ignores
 * `NODE_PATH`) finds the packages in its `node_modules`. Nothing in it is rewritten by KFP
 * (`{{$…}}`), Argo (`{{…}}`) or Kubernetes (`$(VAR)`, `$$`). The specs were checked by the DSL
 * and again here (no quotes, `$` or braces), so they sit safely in single quotes.
 */
function installPrefix(packages: readonly string[]): string[] {
  const specs = packages.map((p) => `'${p}'`).join(' ')
  const script = [
    'set -e',
    `d="\${TYPEFLOW_DEPS_DIR:-${FUNCTION_DEPS_DIR}}"`,
    'mkdir -p "$d"',
    `npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error --prefix "$d" ${specs} >&2`,
    'export TMPDIR="$d"',
    'exec "$@"',
  ].join('\n')
  return ['sh', '-c', script, 'typeflow']
}

function packageOne(component: ContainerComponentNode, files: Map<string, ParsedFile | undefined>): Outcome {
  ts ??= requireHere('typescript') as typeof TS
  esbuild ??= createRequire(requireHere.resolve('@typeflow/runtime'))('esbuild') as EsbuildApi
  const fn = component.function!
  // The DSL checks package specs already; hand-written IR gets the same check (same pattern).
  for (const spec of fn.packages) {
    if (!/^(?:@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*(?:@[\w.^~<>=|*+ -]+)?$/i.test(spec)) {
      return { ok: false, problems: [{ message: `function component "${component.name}": ${JSON.stringify(spec)} is not an npm registry package spec`, ...(fn.location && { source: fn.location }) }] }
    }
  }
  const found = locate(component, files)
  if (!('node' in found)) return { ok: false, problems: [found] }
  const free = freeIdentifiers(component, found)
  if (free.problems.length > 0) return { ok: false, problems: free.problems }
  const bundled = bundle(component, found, free)
  if ('problems' in bundled) return { ok: false, problems: bundled.problems }
  let packaged: ReturnType<typeof packageFunctionComponentSync>
  try {
    packaged = packageFunctionComponentSync({
      name: component.name,
      interface: { inputs: component.inputs, outputs: component.outputs },
      functionSource: bundled.code,
    })
  } catch (error) {
    return { ok: false, problems: [{ message: `function component "${component.name}" cannot be packaged: ${(error as Error).message}`, ...(fn.location && { source: fn.location }) }] }
  }
  const command = fn.packages.length > 0 ? [...installPrefix(fn.packages), ...packaged.command] : packaged.command
  return {
    ok: true,
    node: deepFreeze({
      ...component,
      command: command.map(parseKfpText),
      args: packaged.args.map(parseKfpText),
    }),
  }
}
