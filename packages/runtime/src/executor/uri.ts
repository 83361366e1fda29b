/**
 * Where an artifact lives inside the pod: the KFP launcher's `LocalPathForURI` (Go) and the SDK's
 * `Artifact.path` (Python), which agree, plus the provisioning rules of the KFP driver.
 *
 * Every function takes an optional local `root` (default `''`) that is prepended to the mount
 * points (`/gcs`, `/s3`, `/minio`, `/oci`, `/kfp-workspace`), so tests and the local runner can
 * keep a whole "object store" under a temporary directory: with root `/tmp/x`,
 * `gs://b/k` ↔ `/tmp/x/gcs/b/k`. In a real pod the root is empty.
 *
 * @module
 */

/** Object-store schemes with a fixed local mount point, in the launcher's order. */
const MOUNTS: readonly (readonly [scheme: string, mount: string])[] = [
  ['gs://', '/gcs/'],
  ['minio://', '/minio/'],
  ['s3://', '/s3/'],
]

const OCI_SCHEME = 'oci://'
const OCI_MOUNT = '/oci/'
const WORKSPACE_ARTIFACTS = '/kfp-workspace/.artifacts/'

/**
 * The launcher's fallback for `outputs.outputFile` when the task root has no known scheme.
 *
 * @example
 * ```ts
 * outputMetadataFile('https://x/y') === FALLBACK_OUTPUT_METADATA_FILE // true
 * ```
 */
export const FALLBACK_OUTPUT_METADATA_FILE = '/tmp/kfp_outputs/output_metadata.json'

function cleanRoot(root: string | undefined): string {
  return (root ?? '').replace(/\/+$/, '')
}

/**
 * The local path of an object-store URI, as the KFP launcher downloads to / uploads from it, or
 * `undefined` for a scheme it does not support (the launcher then fails for outputs and skips
 * inputs; the Python SDK uses the URI itself as the path).
 *
 * `oci://` follows the Go launcher: every `/` after the scheme becomes `_`, and `/models` is
 * appended (the Python base class escapes differently; the launcher is what fills the path).
 *
 * @example
 * ```ts
 * localPathForUri('gs://b/k') // '/gcs/b/k'
 * localPathForUri('oci://reg/img:tag') // '/oci/reg_img:tag/models'
 * localPathForUri('gs://b/k', '/tmp/store') // '/tmp/store/gcs/b/k'
 * localPathForUri('https://x/y') // undefined
 * ```
 */
export function localPathForUri(uri: string, root?: string): string | undefined {
  const prefix = cleanRoot(root)
  for (const [scheme, mount] of MOUNTS) {
    if (uri.startsWith(scheme)) return prefix + mount + uri.slice(scheme.length)
  }
  if (uri.startsWith(OCI_SCHEME)) return prefix + OCI_MOUNT + uri.slice(OCI_SCHEME.length).replaceAll('/', '_') + '/models'
  return undefined
}

/**
 * The URI of a local path under one of the object-store mount points (the Python SDK's
 * `Artifact.path` setter and `dsl.get_uri`), or `undefined` when the path is not under
 * `/gcs/`, `/s3/` or `/minio/`. `/oci/…` paths are not reversible (`_` is ambiguous) and give
 * `undefined` too.
 *
 * @example
 * ```ts
 * uriForLocalPath('/minio/mlpipeline/v2/x') // 'minio://mlpipeline/v2/x'
 * uriForLocalPath('/tmp/store/s3/b/k', '/tmp/store') // 's3://b/k'
 * uriForLocalPath('/home/me/file') // undefined
 * ```
 */
export function uriForLocalPath(path: string, root?: string): string | undefined {
  const prefix = cleanRoot(root)
  if (!path.startsWith(prefix)) return undefined
  const rest = path.slice(prefix.length)
  for (const [scheme, mount] of MOUNTS) {
    if (rest.startsWith(mount)) return scheme + rest.slice(mount.length)
  }
  return undefined
}

/**
 * The parts of a `RuntimeArtifact` that decide its local path.
 *
 * @example
 * ```ts
 * const location: ArtifactLocation = { uri: 'gs://b/k', customPath: '/mnt/data/k' }
 * ```
 */
export interface ArtifactLocation {
  readonly uri?: string | undefined
  readonly customPath?: string | undefined
  readonly metadata?: { readonly [key: string]: unknown } | null | undefined
}

/**
 * The local path of a runtime artifact, applying the launcher's rules in order: a non-empty
 * `customPath` wins; an **input** whose `metadata._kfp_workspace === true` lives on the workspace
 * PVC at `/kfp-workspace/.artifacts/<local path without leading />`; otherwise the URI mapping.
 * A URI that is an absolute local path (as the Argo target writes them) is its own path. For any
 * other unsupported scheme an input's path is its URI (Python SDK behaviour) and an output has no
 * path (`undefined`; the KFP launcher rejects it).
 *
 * @example
 * ```ts
 * artifactLocalPath({ uri: 'gs://b/k' }, 'input') // '/gcs/b/k'
 * artifactLocalPath({ uri: 'gs://b/k', customPath: '/data/x' }, 'output') // '/data/x'
 * artifactLocalPath({ uri: 'gs://b/k', metadata: { _kfp_workspace: true } }, 'input') // '/kfp-workspace/.artifacts/gcs/b/k'
 * artifactLocalPath({ uri: '/tmp/outputs/model' }, 'output') // '/tmp/outputs/model'
 * ```
 */
export function artifactLocalPath(artifact: ArtifactLocation, direction: 'input' | 'output', root?: string): string | undefined {
  if (artifact.customPath) return artifact.customPath
  const uri = artifact.uri ?? ''
  const local = localPathForUri(uri)
  if (local === undefined) {
    // An absolute local path as the URI (the Argo target's ExecutorInput, local runs) is its own
    // path both ways; any other URI is its own path for inputs only (Python SDK behaviour).
    return uri.startsWith('/') || (direction === 'input' && uri !== '') ? uri : undefined
  }
  if (direction === 'input' && artifact.metadata?.['_kfp_workspace'] === true) {
    return cleanRoot(root) + WORKSPACE_ARTIFACTS + local.replace(/^\/+/, '')
  }
  return cleanRoot(root) + local
}

function joinUri(base: string, ...parts: string[]): string {
  const segments = parts.join('/').split('/').filter((s) => s !== '' && s !== '.')
  return [base.replace(/\/+$/, ''), ...segments].join('/')
}

/**
 * The run root of a pipeline run: `<pipelineRoot>/<pipelineName>/<runId>` (driver
 * `provisionOutputs`). The default pipeline root is `minio://mlpipeline/v2/artifacts`.
 *
 * @example
 * ```ts
 * runRootUri('minio://mlpipeline/v2/artifacts', 'my-pipeline', 'run-1') // 'minio://mlpipeline/v2/artifacts/my-pipeline/run-1'
 * ```
 */
export function runRootUri(pipelineRoot: string, pipelineName: string, runId: string): string {
  return joinUri(pipelineRoot, pipelineName, runId)
}

/**
 * The task root: `<run root>/<taskName>/<salt>` with the root's query string dropped; each output
 * artifact's URI is `<task root>/<outputName>` ({@link outputArtifactUri}).
 *
 * @example
 * ```ts
 * taskRootUri('gs://my-bucket/pipeline-root', 'my-task', 'salt-123') // 'gs://my-bucket/pipeline-root/my-task/salt-123'
 * ```
 */
export function taskRootUri(runRoot: string, taskName: string, salt: string): string {
  const query = runRoot.indexOf('?')
  return joinUri(query === -1 ? runRoot : runRoot.slice(0, query), taskName, salt)
}

/**
 * The URI the driver provisions for an output artifact: `<task root>/<outputName>`.
 *
 * @example
 * ```ts
 * outputArtifactUri('s3://b/root/train/uuid', 'model') // 's3://b/root/train/uuid/model'
 * ```
 */
export function outputArtifactUri(taskRoot: string, outputName: string): string {
  return joinUri(taskRoot, outputName)
}

/**
 * `outputs.outputFile` as the driver provisions it: the task root's local path +
 * `/output_metadata.json`, or {@link FALLBACK_OUTPUT_METADATA_FILE} for an unknown scheme.
 *
 * @example
 * ```ts
 * outputMetadataFile('gs://my-bucket/pipeline-root/my-task/salt-123') // '/gcs/my-bucket/pipeline-root/my-task/salt-123/output_metadata.json'
 * ```
 */
export function outputMetadataFile(taskRoot: string, root?: string): string {
  const local = localPathForUri(taskRoot, root)
  return local === undefined ? cleanRoot(root) + FALLBACK_OUTPUT_METADATA_FILE : local.replace(/\/+$/, '') + '/output_metadata.json'
}

/**
 * The file the driver provisions for an output parameter: `/tmp/kfp/outputs/<name>`.
 *
 * @example
 * ```ts
 * outputParameterFile('Output') // '/tmp/kfp/outputs/Output'
 * ```
 */
export function outputParameterFile(name: string, root?: string): string {
  return `${cleanRoot(root)}/tmp/kfp/outputs/${name}`
}
