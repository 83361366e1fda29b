/**
 * Packaging of a TypeScript function component into a container command that needs nothing but
 * `node` in the image: no `npm install` at run time, no network (air-gapped clusters).
 *
 * The command is
 * ```
 * node -e <BOOTSTRAP> -- e:<executor chunk>… f:<function chunk>… i:<interface> --component <name> --executor_input {{$}}
 * ```
 * - `e:` chunks carry the executor (main.ts + zod/mini, bundled and minified by esbuild, built
 *   once per process), `f:` chunks the function module (ESM, default export = the function), `i:`
 *   the component's name and typed interface. Each payload is compressed with a deterministic
 *   zlib encoder (`deflate.ts`) and base64-encoded, then cut into arguments of at most
 *   {@link packagedArgLimits}.chunkBytes bytes, far below Linux's `MAX_ARG_STRLEN`
 *   (131,072 bytes per argument, NUL included).
 * - base64 keeps the code safe from every rewriting the argument goes through on its way to the
 *   process: KFP's `{{$…}}` placeholders, Argo's `{{…}}` templating and Kubernetes' `$(VAR)` /
 *   `$$` expansion in `command`/`args`. The bootstrap itself contains neither `{{` nor `$`.
 * - The bootstrap (a CommonJS `-e` script, Node ≥ 18) joins the chunks, inflates them (zlib's
 *   checksum catches a damaged payload), writes the two modules to a fresh temp directory
 *   (falling back to `data:` URLs if the file system is read-only), enables source maps, imports
 *   the executor and calls its `run`, which imports the function module and exits with 0 or 1.
 *
 * @module
 */
import { createRequire } from 'node:module'
import { inflateSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import type * as Esbuild from 'esbuild'
import { ExecutorError } from './errors.ts'
import { checkInterface } from './execute.ts'
import type { ComponentInterface } from './execute.ts'
import { deflateDeterministic, storedZlib } from './deflate.ts'

/**
 * Argument size limits the packaging keeps to.
 *
 * @example
 * ```ts
 * for (const arg of [...packaged.command, ...packaged.args]) {
 *   assert(Buffer.byteLength(arg) + 1 <= packagedArgLimits.maxArgStrlen)
 * }
 * ```
 */
export const packagedArgLimits = {
  /** Linux `MAX_ARG_STRLEN`: one argument including its terminating NUL. */
  maxArgStrlen: 131_072,
  /** The largest payload argument this packaging produces (bytes, prefix included). */
  chunkBytes: 100_000,
  /**
   * Budget for command + args together: Linux's total limit (`ARG_MAX`, usually 2 MiB) is shared
   * with the environment and, on KFP, with the launcher's own `--executor_input`/`--component_spec`.
   */
  maxTotalBytes: 1_048_576,
} as const

/**
 * The image a function component runs on unless the user picks one: any image with `node` ≥ 18
 * on its PATH works.
 *
 * @example
 * ```ts
 * const container = { image: DEFAULT_FUNCTION_IMAGE, command, args }
 * ```
 */
export const DEFAULT_FUNCTION_IMAGE = 'node:22-slim'

/**
 * Where the Argo target puts a function component's files (the executor reads/writes these).
 *
 * @example
 * ```ts
 * `${ARGO_IO_ROOT}/outputs/parameters/count` // '/tmp/typeflow/outputs/parameters/count'
 * ```
 */
export const ARGO_IO_ROOT = '/tmp/typeflow'

/**
 * Throws if any argument is too long for `execve` (≥ `MAX_ARG_STRLEN` bytes with its NUL) or if
 * all of them together exceed {@link packagedArgLimits}.maxTotalBytes.
 *
 * @example
 * ```ts
 * checkPackagedArgs([...packaged.command, ...packaged.args]) // ok, or throws naming the argument
 * ```
 */
export function checkPackagedArgs(argv: readonly string[]): { readonly largestArgBytes: number; readonly totalBytes: number } {
  let largest = 0
  let total = 0
  argv.forEach((arg, index) => {
    const bytes = Buffer.byteLength(arg, 'utf8') + 1
    if (bytes > packagedArgLimits.maxArgStrlen) {
      throw new ExecutorError(
        `argument ${index} (${JSON.stringify(arg.slice(0, 24))}…) is ${bytes} bytes with its NUL; Linux allows at most ${packagedArgLimits.maxArgStrlen} per argument`,
      )
    }
    largest = Math.max(largest, bytes)
    total += bytes
  })
  if (total > packagedArgLimits.maxTotalBytes) {
    throw new ExecutorError(
      `the packaged command line is ${total} bytes; keep it under ${packagedArgLimits.maxTotalBytes} (bundle less into the function, or move data into artifacts)`,
    )
  }
  return { largestArgBytes: largest, totalBytes: total }
}

/**
 * The `-e` script that starts a packaged component (CommonJS, Node ≥ 18). It contains neither
 * `{{` nor `$`, so no orchestrator rewrites it.
 *
 * @example
 * ```ts
 * const command = ['node', '-e', BOOTSTRAP, '--', ...payloadArgs]
 * ```
 */
export const BOOTSTRAP = [
  "const fs=require('fs'),os=require('os'),path=require('path'),url=require('url'),zlib=require('zlib');",
  "const a=process.argv.slice(1),p={e:'',f:'',i:''};let k=0;",
  'for(;k<a.length&&/^[efi]:/.test(a[k]);k++)p[a[k][0]]+=a[k].slice(2);',
  "const d=(s)=>zlib.inflateSync(Buffer.from(s,'base64'));let e,f,c,u;",
  "try{e=d(p.e);f=d(p.f);c=JSON.parse(d(p.i).toString('utf8'))}",
  "catch(x){console.error('typeflow: the packaged component code is damaged or incomplete ('+x.message+')');process.exit(1)}",
  "try{const t=fs.mkdtempSync(path.join(os.tmpdir(),'typeflow-'));",
  'process.on(\'exit\',()=>fs.rmSync(t,{recursive:true,force:true}));',
  'const w=(n,b)=>{const q=path.join(t,n);fs.writeFileSync(q,b);return url.pathToFileURL(q).href};',
  "u=[w('typeflow-executor.mjs',e),w(c.file,f)]}",
  "catch(x){u=[e,f].map((b)=>'data:text/javascript;base64,'+b.toString('base64'))}",
  'if(process.setSourceMapsEnabled)process.setSourceMapsEnabled(true);',
  'import(u[0]).then((m)=>m.run({argv:a.slice(k),componentUrl:u[1],component:c}))',
  ".catch((x)=>{console.error('typeflow: could not start the executor: '+(x&&x.stack||x));process.exit(1)})",
].join('\n')

/**
 * The executor bundle shipped in every function component.
 *
 * @example
 * ```ts
 * const { bytes, chunks }: ExecutorBundle = executorBundleSync()
 * ```
 */
export interface ExecutorBundle {
  /** Minified ESM code of `main.ts` and its dependencies (zod/mini included). */
  readonly code: string
  /** Size of `code` in bytes. */
  readonly bytes: number
  /** Its packaged form: `e:` arguments (compressed, base64). */
  readonly chunks: readonly string[]
  /** Bytes of all `chunks` together. */
  readonly packagedBytes: number
}

// Loaded on first use: every compile imports this package, and only function components bundle.
let esbuildApi: typeof Esbuild | undefined
const esbuild = (): typeof Esbuild => (esbuildApi ??= createRequire(import.meta.url)('esbuild') as typeof Esbuild)

let bundleCache: ExecutorBundle | undefined
let bundlePending: Promise<ExecutorBundle> | undefined

function buildOptions(): Esbuild.BuildOptions & { write: false } {
  return {
    entryPoints: [fileURLToPath(new URL('./main.ts', import.meta.url))],
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  }
}

function finishBundle(result: Esbuild.BuildResult<{ write: false }>): ExecutorBundle {
  const output = result.outputFiles[0]
  if (output === undefined) throw new Error('esbuild produced no executor bundle')
  const chunks = encodePayload('e', output.contents)
  return { code: output.text, bytes: output.contents.length, chunks, packagedBytes: chunks.reduce((n, c) => n + c.length, 0) }
}

/**
 * Builds (once per process, then cached) the minified executor bundle.
 *
 * @example
 * ```ts
 * const { bytes, packagedBytes } = await executorBundle()
 * console.log(`executor: ${bytes} bytes minified, ${packagedBytes} packaged`)
 * ```
 */
export async function executorBundle(): Promise<ExecutorBundle> {
  if (bundleCache) return bundleCache
  bundlePending ??= esbuild().build(buildOptions()).then((result) => (bundleCache = finishBundle(result)))
  return bundlePending
}

/**
 * Synchronous {@link executorBundle}, for synchronous callers such as the compiler.
 *
 * @example
 * ```ts
 * const bundle = executorBundleSync()
 * ```
 */
export function executorBundleSync(): ExecutorBundle {
  bundleCache ??= finishBundle(esbuild().buildSync(buildOptions()))
  return bundleCache
}

/**
 * Compresses (deterministically) and base64-encodes a payload, then cuts it into `<kind>:…`
 * arguments of at most {@link packagedArgLimits}.chunkBytes bytes.
 *
 * @example
 * ```ts
 * encodePayload('f', new TextEncoder().encode('export default () => 1')) // ['f:eNo…']
 * ```
 */
export function encodePayload(kind: 'e' | 'f' | 'i', bytes: Uint8Array): string[] {
  let packed = deflateDeterministic(bytes)
  // Never ship something that does not decode back: fall back to stored blocks (always correct).
  if (!Buffer.from(inflateSync(packed)).equals(Buffer.from(bytes))) packed = storedZlib(bytes)
  const text = Buffer.from(packed).toString('base64')
  // Base64 is ASCII: one byte per character. Chunks are cut at multiples of 4 characters.
  const size = Math.floor((packagedArgLimits.chunkBytes - 2) / 4) * 4
  const chunks: string[] = []
  for (let at = 0; at < text.length || chunks.length === 0; at += size) chunks.push(`${kind}:${text.slice(at, at + size)}`)
  return chunks
}

/**
 * Files and flags of a function component on the Argo target (see {@link argoExecutorArgs}).
 *
 * @example
 * ```ts
 * const { paths } = argoExecutorArgs('train', spec)
 * paths.outputParameters['count'] // '/tmp/typeflow/outputs/parameters/count' → valueFrom.path
 * ```
 */
export interface ArgoIoPaths {
  /**
   * Input parameter name → file to write its value to, with `parameters: 'files'` (declare each
   * as an input artifact `{ path, raw: { data: '{{inputs.parameters.<name>}}' } }`); empty otherwise.
   */
  readonly inputParameters: Readonly<Record<string, string>>
  /** Input artifact name → where the template's `inputs.artifacts[].path` puts it. */
  readonly inputArtifacts: Readonly<Record<string, string>>
  /** Output parameter name → the file for `outputs.parameters[].valueFrom.path`. */
  readonly outputParameters: Readonly<Record<string, string>>
  /** Output artifact name → the path for `outputs.artifacts[].path`. */
  readonly outputArtifacts: Readonly<Record<string, string>>
  /** The `ExecutorOutput` JSON (artifact metadata), e.g. for an optional output artifact. */
  readonly executorOutput: string
}

/**
 * The executor flags of a component on the Argo target: input parameters from
 * `{{inputs.parameters.<name>}}`, artifacts and output parameters at fixed paths under
 * {@link ARGO_IO_ROOT}, which the Argo template must declare (`inputs.artifacts[].path`,
 * `outputs.parameters[].valueFrom.path`, `outputs.artifacts[].path`).
 *
 * `parameters: 'args'` (default) passes each value inside an argument (`--param n=…`). Kubernetes
 * expands `$(VAR)` and turns `$$` into `$` in container arguments, so a value containing those is
 * altered; `parameters: 'files'` passes `--param-file n=<path>` instead, for values written by a
 * raw input artifact, which nothing rewrites.
 *
 * @example
 * ```ts
 * argoExecutorArgs('train', { inputs: { n: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false } }, outputs: {} }).args
 * // ['--component', 'train', '--param', 'n={{inputs.parameters.n}}', '--executor_output', '/tmp/typeflow/outputs/executor_output.json']
 * ```
 */
export function argoExecutorArgs(
  name: string,
  spec: ComponentInterface,
  parameters: 'args' | 'files' = 'args',
): { args: string[]; paths: ArgoIoPaths } {
  const args = ['--component', name]
  const inputParameters: Record<string, string> = {}
  const inputArtifacts: Record<string, string> = {}
  const outputParameters: Record<string, string> = {}
  const outputArtifacts: Record<string, string> = {}
  for (const [key, io] of Object.entries(spec.inputs)) {
    if (io.kind === 'parameter' && parameters === 'files') {
      inputParameters[key] = `${ARGO_IO_ROOT}/inputs/parameters/${key}`
      args.push('--param-file', `${key}=${inputParameters[key]}`)
    } else if (io.kind === 'parameter') args.push('--param', `${key}={{inputs.parameters.${key}}}`)
    else {
      inputArtifacts[key] = `${ARGO_IO_ROOT}/inputs/artifacts/${key}`
      args.push('--input-artifact', `${key}=${inputArtifacts[key]}`)
    }
  }
  for (const [key, io] of Object.entries(spec.outputs)) {
    if (io.kind === 'parameter') {
      outputParameters[key] = `${ARGO_IO_ROOT}/outputs/parameters/${key}`
      args.push('--output-param', `${key}=${outputParameters[key]}`)
    } else {
      outputArtifacts[key] = `${ARGO_IO_ROOT}/outputs/artifacts/${key}`
      args.push('--output-artifact', `${key}=${outputArtifacts[key]}`)
    }
  }
  const executorOutput = `${ARGO_IO_ROOT}/outputs/executor_output.json`
  args.push('--executor_output', executorOutput)
  return { args, paths: { inputParameters, inputArtifacts, outputParameters, outputArtifacts, executorOutput } }
}

/**
 * Options of {@link packageFunctionComponent}.
 *
 * @example
 * ```ts
 * const options: PackageFunctionOptions = { name: 'add', interface: spec, functionSource: 'export default ({ a, b }) => a + b' }
 * ```
 */
export interface PackageFunctionOptions {
  /** The component's name (messages, `--component`, the module's file name in the pod). */
  readonly name: string
  /** Its typed inputs and outputs, as in the IR. */
  readonly interface: ComponentInterface
  /** A self-contained ESM module (no bare imports except `node:` builtins) whose default export is the function. */
  readonly functionSource: string
  /** Which orchestrator's invocation to put in `args`. @default 'kfp' */
  readonly target?: 'kfp' | 'argo'
  /** Argo only: how input parameters reach the executor (see {@link argoExecutorArgs}). @default 'args' */
  readonly argoParameters?: 'args' | 'files'
}

/**
 * A packaged function component: the container's `command` and `args`.
 *
 * @example
 * ```ts
 * const { command, args, sizes }: PackagedFunctionComponent = packageFunctionComponentSync(options)
 * ```
 */
export interface PackagedFunctionComponent {
  /** `node -e <bootstrap> -- <payload…>`: the same on both targets. */
  readonly command: readonly string[]
  /** KFP: `--component <name> --executor_input {{$}}`; Argo: see {@link argoExecutorArgs}. */
  readonly args: readonly string[]
  /** On the Argo target, the paths the template must declare. */
  readonly argo?: ArgoIoPaths
  readonly sizes: {
    /** The minified executor bundle. */
    readonly executorBytes: number
    /** The function module as given. */
    readonly functionBytes: number
    /** All of command + args, with NULs. */
    readonly totalBytes: number
    /** The longest argument, with its NUL (always < 131,072). */
    readonly largestArgBytes: number
  }
}

/**
 * Packages a function component for a Node container, with the executor and the function's code
 * travelling inside the command (see the module comment for the layout). Checks that
 * `functionSource` is valid JavaScript with a default export and that every argument fits Linux's
 * limits.
 *
 * @throws {ExecutorError} when the source does not parse, has no default export, or is too big.
 * @example
 * ```ts
 * const { command, args } = await packageFunctionComponent({
 *   name: 'add',
 *   interface: {
 *     inputs: { a: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false }, b: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false } },
 *     outputs: { Output: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false } },
 *   },
 *   functionSource: 'export default ({ a, b }) => a + b',
 * })
 * // container: { image: DEFAULT_FUNCTION_IMAGE, command, args }
 * ```
 */
export async function packageFunctionComponent(options: PackageFunctionOptions): Promise<PackagedFunctionComponent> {
  return assemble(options, await executorBundle())
}

/**
 * Synchronous {@link packageFunctionComponent}.
 *
 * @example
 * ```ts
 * const { command, args } = packageFunctionComponentSync({ name, interface: spec, functionSource })
 * ```
 */
export function packageFunctionComponentSync(options: PackageFunctionOptions): PackagedFunctionComponent {
  return assemble(options, executorBundleSync())
}

function checkFunctionSource(name: string, source: string): void {
  let exports: readonly string[]
  try {
    const result = esbuild().buildSync({
      stdin: { contents: source, loader: 'js', sourcefile: `${name}.mjs` },
      format: 'esm',
      platform: 'node',
      bundle: false,
      write: false,
      metafile: true,
      logLevel: 'silent',
    })
    exports = Object.values(result.metafile.outputs)[0]?.exports ?? []
  } catch (error) {
    const first = (error as { errors?: { text: string; location?: { line: number; column: number } | null }[] }).errors?.[0]
    const where = first?.location ? ` (line ${first.location.line}, column ${first.location.column + 1})` : ''
    throw new ExecutorError(`the function source of component "${name}" is not valid JavaScript${where}: ${first?.text ?? (error as Error).message}`)
  }
  if (!exports.includes('default')) throw new ExecutorError(`the function source of component "${name}" has no default export (export default the function)`)
}

function assemble(options: PackageFunctionOptions, bundle: ExecutorBundle): PackagedFunctionComponent {
  const { name, functionSource } = options
  checkInterface(options.interface)
  checkFunctionSource(name, functionSource)
  let file = `${name.replace(/[^\w.-]/g, '_') || 'component'}.mjs`
  if (file === 'typeflow-executor.mjs') file = 'component.mjs'
  const shipped = { name, file, inputs: stripIo(options.interface.inputs), outputs: stripIo(options.interface.outputs) }
  const functionBytes = new TextEncoder().encode(functionSource)
  const command = [
    'node',
    '-e',
    BOOTSTRAP,
    '--',
    ...bundle.chunks,
    ...encodePayload('f', functionBytes),
    ...encodePayload('i', new TextEncoder().encode(JSON.stringify(shipped))),
  ]
  const argo = options.target === 'argo' ? argoExecutorArgs(name, options.interface, options.argoParameters) : undefined
  const args = argo?.args ?? ['--component', name, '--executor_input', '{{$}}']
  const { largestArgBytes, totalBytes } = checkPackagedArgs([...command, ...args])
  return {
    command,
    args,
    ...(argo ? { argo: argo.paths } : {}),
    sizes: { executorBytes: bundle.bytes, functionBytes: functionBytes.length, totalBytes, largestArgBytes },
  }
}

/** The interface without descriptions (they are not needed in the pod). */
function stripIo(ios: ComponentInterface['inputs']): ComponentInterface['inputs'] {
  return Object.fromEntries(
    Object.entries(ios).map(([key, io]) => {
      const { description: _description, ...rest } = io
      return [key, rest]
    }),
  ) as ComponentInterface['inputs']
}
