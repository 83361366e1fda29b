/**
 * Importer tasks (KFP `dsl.importer`): an existing object, named by its URI, becomes an artifact of
 * the run. Argo has no "register this URI" node, so the importer is a tiny pod whose input artifact
 * is the URI's location and whose output artifact is the same file: downstream tasks then read it
 * like any other artifact.
 *
 * URI scheme → Argo artifact location: `gs://b/k` → `gcs`, `s3://b/k` and `minio://b/k` → `s3`
 * (endpoint and credentials from the artifact repository), `http(s)://…` → `http`. Anything else
 * (`oci://`, `file://`, …) has no Argo artifact driver: a diagnostic. The location is decided when
 * compiling, so a URI only known at run time must come from a pipeline input whose default names
 * the scheme; the pod checks at run time that the URI it got has that scheme and fails otherwise.
 * A URI holding `{{` is refused (Argo would substitute it in the location). KFP metadata and
 * `reimport` have no Argo counterpart and are dropped.
 *
 * @module
 */

import type { AnalysedPipeline } from '../../analyse/graph.ts'
import type { ImporterComponentNode, TaskNode, ValueSourceNode } from '@typeflow/dsl'
import type { BuiltTemplate } from './container.ts'
import { exprIndex, exprLiteral, exprTag, kubeletDecoded } from './expr.ts'
import { labelValue } from './names.ts'
import { ANNOTATIONS, type EmitContext, RESERVED } from './registry.ts'
import { LBRACE_ENV } from './text.ts'

/** Where the importer's container finds the file and leaves it for upload. */
const IMPORT_PATH = '/tmp/inputs/artifact/data'

export interface ImporterRequest {
  readonly task: TaskNode
  readonly component: ImporterComponentNode
  readonly uri: ValueSourceNode | undefined
  readonly pipeline: AnalysedPipeline
  readonly hasDisplayName: boolean
  readonly path: readonly string[]
}

type Scheme = 'gcs' | 's3' | 'http'

function schemeOf(uri: string): { scheme: Scheme; prefix: string } | undefined {
  const match = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri)
  const name = match?.[1]?.toLowerCase()
  if (name === 'gs') return { scheme: 'gcs', prefix: 'gs://' }
  if (name === 's3' || name === 'minio') return { scheme: 's3', prefix: `${name}://` }
  if (name === 'http' || name === 'https') return { scheme: 'http', prefix: `${name}://` }
  return undefined
}

/** The artifact location of a URI known now. */
function staticLocation(scheme: Scheme, uri: string): Record<string, unknown> {
  if (scheme === 'http') return { http: { url: uri } }
  const rest = uri.slice(uri.indexOf('://') + 3)
  const slash = rest.indexOf('/')
  const bucket = slash < 0 ? rest : rest.slice(0, slash)
  const key = slash < 0 ? '' : rest.slice(slash + 1)
  return { [scheme]: { bucket, key } }
}

/**
 * The URI the importer was given, as the kubelet hands it to the container. Like every template
 * input it is kubelet-encoded (see dag.ts); the artifact location is read by Argo, which does not
 * decode, so the expression decodes it.
 */
function decodedUri(): string {
  return kubeletDecoded(exprIndex('inputs.parameters', 'uri'))
}

/** The artifact location read from the `uri` input at run time. */
function runtimeLocation(scheme: Scheme): Record<string, unknown> {
  const uri = decodedUri()
  if (scheme === 'http') return { http: { url: exprTag(uri) } }
  const parts = `split(${uri},${exprLiteral('/')})`
  return { [scheme]: { bucket: exprTag(`${parts}[2]`), key: exprTag(`join(${parts}[3:],${exprLiteral('/')})`) } }
}

/**
 * Argo substitutes artifact locations more than once and has no escape for `{{`: a location
 * holding it would name another object (`{{workflow.name}}` becomes the run's name) or fail the
 * workflow (an unclosed `{{`). Such a URI is refused rather than imported wrongly.
 */
function reportBraces(ctx: EmitContext, request: ImporterRequest, uri: string): void {
  ctx.report(
    'E_INVALID_CONSTANT',
    [...request.path, 'inputs', 'uri'],
    `importer URI "${uri}" holds "{{", which Argo substitutes as a template tag in the artifact location (it has no escape for it); use a URI without "{{", or compile with --target kfp`,
    request.task.source,
  )
}

/** Builds (or reuses) the template of an importer task. */
export function importerTemplate(ctx: EmitContext, request: ImporterRequest): BuiltTemplate {
  const { task, component, uri } = request
  const where = [...request.path, 'inputs', 'uri']
  let location: Record<string, unknown> | undefined
  let check: string | undefined
  if (uri?.kind === 'constant' && typeof uri.value === 'string') {
    const found = schemeOf(uri.value)
    if (found && uri.value.includes('{{')) reportBraces(ctx, request, uri.value)
    else if (found) location = staticLocation(found.scheme, uri.value)
    else ctx.report('E_INVALID_CONSTANT', where, `importer URI "${uri.value}" has no Argo artifact driver: the Argo target imports gs://, s3://, minio:// and http(s):// URIs; compile with --target kfp`, task.source)
  } else if (uri?.kind === 'pipelineInput') {
    const spec = request.pipeline.node.inputs[uri.name]
    const fallback = spec?.kind === 'parameter' && typeof spec.default === 'string' ? spec.default : undefined
    const found = fallback !== undefined ? schemeOf(fallback) : undefined
    if (found && fallback?.includes('{{')) reportBraces(ctx, request, fallback)
    else if (found) {
      location = runtimeLocation(found.scheme)
      check = found.prefix
    } else {
      ctx.report(
        'E_INVALID_CONSTANT',
        where,
        fallback === undefined
          ? `importer URI comes from pipeline input "${uri.name}", which has no default: the Argo target chooses the artifact driver (gs://, s3://, minio://, http(s)://) when compiling; give the input a default URI, or compile with --target kfp`
          : `importer URI default "${fallback}" has no Argo artifact driver: the Argo target imports gs://, s3://, minio:// and http(s):// URIs; compile with --target kfp`,
        task.source,
      )
    }
  } else if (uri?.kind === 'template' && typeof uri.parts[0] === 'string' && schemeOf(uri.parts[0]) !== undefined) {
    // Text built at run time (fmt`gs://bucket/${item}`): its literal start names the driver.
    const found = schemeOf(uri.parts[0])!
    if (uri.parts.some((part) => typeof part === 'string' && part.includes('{{'))) reportBraces(ctx, request, uri.parts.filter((part) => typeof part === 'string').join('…'))
    else {
      location = runtimeLocation(found.scheme)
      check = found.prefix
    }
  } else {
    const what = uri?.kind === 'template' ? 'text built at run time that does not start with its scheme' : uri?.kind === 'loopItem' ? 'a loop item' : 'a task output'
    ctx.report(
      'E_INVALID_CONSTANT',
      where,
      `an importer URI read from ${what} cannot be expressed on the Argo target (the artifact driver is chosen when compiling); start it with gs://, s3://, minio:// or http(s):// (fmt\`gs://bucket/\${…}\`), pass it through a pipeline input with a default, or compile with --target kfp`,
      task.source,
    )
  }
  const parameters: Record<string, unknown>[] = [{ name: 'uri' }, { name: RESERVED.task }]
  if (request.hasDisplayName) parameters.push({ name: RESERVED.displayName })
  const command = check === undefined
    ? ['true']
    : [
        'sh',
        '-c',
        // A URI given at run time may hold `{{` (written `$(TYPEFLOW_LBRACE){`): Argo has already
        // substituted it in the artifact location, so the pod refuses it rather than pass on
        // another object. `\{` keeps `{{` out of the command, where Argo would read a tag.
        `case "$0" in *\\{\\{*) echo "importer: cannot import $0: Argo substitutes template tags in artifact locations" >&2; exit 1 ;; ${check}*) ;; *) echo "importer: expected a ${check} URI, got $0" >&2; exit 1 ;; esac`,
        '{{inputs.parameters.uri}}',
      ]
  const body: Record<string, unknown> = {
    metadata: {
      annotations: { [ANNOTATIONS.task]: `{{inputs.parameters.${RESERVED.task}}}` },
      labels: { [ANNOTATIONS.component]: labelValue(component.name) || 'importer' },
    },
    ...(request.hasDisplayName && { annotations: { [ANNOTATIONS.displayName]: `{{inputs.parameters.${RESERVED.displayName}}}` } }),
    inputs: { parameters, artifacts: [{ name: 'artifact', path: IMPORT_PATH, ...location }] },
    outputs: { artifacts: [{ name: 'artifact', path: IMPORT_PATH }] },
    // The run-time URI reaches the shell check through the kubelet, which needs the brace
    // variable to decode it as decodedUri() does.
    container: { image: ctx.options.importerImage, command, ...(check !== undefined && { env: [{ name: LBRACE_ENV, value: '{' }] }) },
  }
  const entry = ctx.intern('container', component.name, body)
  return { entry, inputNames: new Map([['uri', 'uri']]), outputs: new Map([['artifact', { argoName: 'artifact', artifact: true, originalName: 'artifact' }]]) }
}
