/**
 * A strict JSON Schema for exactly the subset of Argo Workflows v4 the Argo target emits, and its
 * validator. Every object is closed (`additionalProperties: false`), so a misspelt or unplanned
 * field is an error here, before anything is written — not a field the API server silently drops.
 *
 * Field names and types follow `reference/argo/schema.json` (v4.1) and the v4 full CRDs, including
 * their caps (≤200 templates, ≤200 DAG tasks, ≤500 input parameters, names ≤128 characters), with
 * IntOrString and Quantity fields written as strings.
 *
 * @module
 */

import type { ErrorObject } from 'ajv'
import { closestName } from '@typeflow/dsl'
import * as generated from './generated/validator.js'
import { ARGO_CAPS } from './options.ts'

type Schema = Record<string, unknown>

const ref = (name: string): Schema => ({ $ref: `#/$defs/${name}` })
const str: Schema = { type: 'string' }
const nonEmpty: Schema = { type: 'string', minLength: 1 }
const int: Schema = { type: 'integer' }
const arrayOf = (items: Schema, extra: Schema = {}): Schema => ({ type: 'array', items, ...extra })
const stringMap: Schema = { type: 'object', additionalProperties: str }
/** At most one of the fields is set (`not` both: ajv makes no error object for a valid document under `not`). */
const notBoth = (a: string, b: string): Schema => ({ not: { type: 'object', required: [a, b] } })
/**
 * Exactly one of the fields is set. Two `not`s rather than `oneOf` of each `required`: under
 * `oneOf` ajv builds a full error for the branch that fails on every valid object, then drops it.
 */
const exactlyOne = (a: string, b: string): Schema[] => [notBoth(a, b), { not: { type: 'object', properties: { [a]: false, [b]: false } } }]
const closed = (properties: Record<string, Schema>, required: readonly string[] = []): Schema => ({
  type: 'object',
  properties,
  ...(required.length > 0 && { required }),
  additionalProperties: false,
})

const defs: Record<string, Schema> = {
  /** Template and DAG task names: DNS-label-like, starting with a letter, ≤128 (v4 CRDs). */
  name: { type: 'string', maxLength: 128, pattern: '^[a-z]([-a-z0-9]*[a-z0-9])?$' },
  /** Parameter and artifact names (`workflow/validate`). */
  ioName: { type: 'string', pattern: '^[-a-zA-Z0-9_]+$' },
  objectName: { type: 'string', maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
  quantity: { type: 'string', pattern: '^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+|[KMGTPE]i?|m|k|u|n)?$' },
  duration: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h)$' },
  intString: { type: 'string', pattern: '^[0-9]+$' },
  numberString: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?$' },

  objectMeta: {
    ...closed({ name: ref('objectName'), generateName: nonEmpty, namespace: ref('objectName'), labels: stringMap, annotations: stringMap }, ['labels', 'annotations']),
    allOf: exactlyOne('name', 'generateName'),
  },

  workflow: closed(
    { apiVersion: { const: 'argoproj.io/v1alpha1' }, kind: { enum: ['Workflow', 'WorkflowTemplate'] }, metadata: ref('objectMeta'), spec: ref('workflowSpec') },
    ['apiVersion', 'kind', 'metadata', 'spec'],
  ),
  cronWorkflow: closed(
    { apiVersion: { const: 'argoproj.io/v1alpha1' }, kind: { const: 'CronWorkflow' }, metadata: ref('objectMeta'), spec: ref('cronWorkflowSpec') },
    ['apiVersion', 'kind', 'metadata', 'spec'],
  ),
  cronWorkflowSpec: closed(
    {
      schedules: arrayOf(nonEmpty, { minItems: 1 }),
      timezone: nonEmpty,
      concurrencyPolicy: { enum: ['Allow', 'Forbid', 'Replace'] },
      workflowSpec: ref('workflowSpec'),
    },
    ['schedules', 'workflowSpec'],
  ),

  workflowSpec: closed(
    {
      entrypoint: ref('name'),
      arguments: closed({
        parameters: arrayOf(closed({ name: ref('ioName'), value: str, description: str }, ['name'])),
        artifacts: arrayOf(closed({ name: ref('ioName') }, ['name'])),
      }),
      serviceAccountName: ref('objectName'),
      artifactRepositoryRef: closed({ configMap: ref('objectName'), key: nonEmpty }),
      imagePullSecrets: arrayOf(closed({ name: ref('objectName') }, ['name'])),
      securityContext: ref('podSecurityContext'),
      parallelism: { type: 'integer', minimum: 1 },
      activeDeadlineSeconds: { type: 'integer', minimum: 1 },
      podGC: closed(
        { strategy: { enum: ['OnPodCompletion', 'OnPodSuccess', 'OnWorkflowCompletion', 'OnWorkflowSuccess'] }, deleteDelayDuration: ref('duration') },
        ['strategy'],
      ),
      ttlStrategy: closed({ secondsAfterCompletion: int, secondsAfterSuccess: int, secondsAfterFailure: int }),
      podMetadata: closed({ labels: stringMap, annotations: stringMap }),
      templates: arrayOf(ref('template'), { minItems: 1, maxItems: ARGO_CAPS.templates }),
    },
    ['templates'],
  ),

  podSecurityContext: closed({
    runAsUser: int,
    runAsGroup: int,
    runAsNonRoot: { type: 'boolean' },
    fsGroup: int,
    fsGroupChangePolicy: { enum: ['OnRootMismatch', 'Always'] },
    supplementalGroups: arrayOf(int),
    seccompProfile: closed({ type: { enum: ['RuntimeDefault', 'Unconfined', 'Localhost'] }, localhostProfile: nonEmpty }, ['type']),
  }),

  templateMetadata: closed({ labels: stringMap, annotations: stringMap }),
  // Decided by the shape, so errors come from the one alternative that was meant.
  template: {
    type: 'object',
    if: { type: 'object', required: ['dag'] },
    then: ref('dagTemplate'),
    else: {
      if: { type: 'object', required: ['suspend'] },
      then: ref('emptyTemplate'),
      else: { if: { type: 'object', required: ['resource'] }, then: ref('resourceTemplate'), else: ref('containerTemplate') },
    },
  },

  /** A pipeline without tasks: the CRDs want at least one DAG task, so it is a zero-length suspend. */
  emptyTemplate: closed(
    {
      name: ref('name'),
      metadata: ref('templateMetadata'),
      annotations: stringMap,
      inputs: closed({
        parameters: arrayOf(closed({ name: ref('ioName'), default: str }, ['name']), { maxItems: ARGO_CAPS.inputParameters }),
        artifacts: arrayOf(closed({ name: ref('ioName') }, ['name'])),
      }),
      suspend: closed({ duration: { const: '0' } }, ['duration']),
    },
    ['name', 'suspend'],
  ),

  containerTemplate: closed(
    {
      name: ref('name'),
      metadata: ref('templateMetadata'),
      annotations: stringMap,
      inputs: closed({
        parameters: arrayOf(closed({ name: ref('ioName'), default: str }, ['name']), { maxItems: ARGO_CAPS.inputParameters }),
        artifacts: arrayOf({
          ...closed({ name: ref('ioName'), path: nonEmpty, gcs: ref('bucketKey'), s3: ref('bucketKey'), http: closed({ url: nonEmpty }, ['url']) }, ['name', 'path']),
          // At most one location (the v4 CRDs' CEL rule).
          not: { anyOf: [{ required: ['gcs', 's3'] }, { required: ['gcs', 'http'] }, { required: ['s3', 'http'] }] },
        }),
      }),
      outputs: closed({
        parameters: arrayOf(closed({ name: ref('ioName'), valueFrom: closed({ path: nonEmpty, default: str }, ['path']) }, ['name', 'valueFrom'])),
        artifacts: arrayOf(closed({ name: ref('ioName'), path: nonEmpty }, ['name', 'path'])),
      }),
      retryStrategy: ref('retryStrategy'),
      memoize: closed(
        { key: nonEmpty, maxAge: ref('duration'), cache: closed({ configMap: closed({ name: ref('objectName') }, ['name']) }, ['configMap']) },
        ['key', 'cache', 'maxAge'],
      ),
      nodeSelector: stringMap,
      tolerations: arrayOf(ref('toleration')),
      affinity: closed({ nodeAffinity: ref('nodeAffinity') }, ['nodeAffinity']),
      activeDeadlineSeconds: ref('intString'),
      securityContext: ref('podSecurityContext'),
      podSpecPatch: nonEmpty,
      initContainers: arrayOf(
        closed(
          {
            name: ref('objectName'),
            image: nonEmpty,
            command: arrayOf(str),
            args: arrayOf(str),
            env: arrayOf(closed({ name: nonEmpty, value: str }, ['name', 'value'])),
            volumeMounts: arrayOf(ref('volumeMount')),
            restartPolicy: { enum: ['Always'] },
            resources: ref('resources'),
          },
          ['name', 'image'],
        ),
      ),
      volumes: arrayOf(ref('volume')),
      container: closed(
        {
          image: nonEmpty,
          command: arrayOf(str),
          args: arrayOf(str),
          env: arrayOf(ref('envVar')),
          resources: ref('resources'),
          imagePullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] },
          volumeMounts: arrayOf(ref('volumeMount')),
        },
        ['image'],
      ),
    },
    ['name', 'metadata', 'inputs', 'container'],
  ),

  /** A Kubernetes object created or deleted by the controller (kfp-kubernetes `createPvc` / `deletePvc`). */
  resourceTemplate: closed(
    {
      name: ref('name'),
      metadata: ref('templateMetadata'),
      annotations: stringMap,
      inputs: closed({ parameters: arrayOf(closed({ name: ref('ioName'), default: str }, ['name']), { maxItems: ARGO_CAPS.inputParameters }) }),
      outputs: closed({ parameters: arrayOf(closed({ name: ref('ioName'), valueFrom: closed({ jsonPath: nonEmpty }, ['jsonPath']) }, ['name', 'valueFrom'])) }),
      resource: closed({ action: { enum: ['create', 'delete'] }, manifest: nonEmpty }, ['action', 'manifest']),
    },
    ['name', 'metadata', 'inputs', 'resource'],
  ),

  retryStrategy: closed(
    {
      limit: ref('intString'),
      retryPolicy: { enum: ['Always', 'OnFailure', 'OnError', 'OnTransientError'] },
      backoff: closed({ duration: ref('duration'), factor: ref('numberString'), cap: ref('duration') }, ['duration']),
    },
    ['limit'],
  ),

  dagTemplate: closed(
    {
      name: ref('name'),
      metadata: ref('templateMetadata'),
      annotations: stringMap,
      inputs: closed({
        parameters: arrayOf(closed({ name: ref('ioName'), default: str }, ['name']), { maxItems: ARGO_CAPS.inputParameters }),
        artifacts: arrayOf(closed({ name: ref('ioName') }, ['name'])),
      }),
      outputs: closed({
        parameters: arrayOf(
          closed({ name: ref('ioName'), valueFrom: { ...closed({ parameter: nonEmpty, expression: nonEmpty }), allOf: exactlyOne('parameter', 'expression') } }, ['name', 'valueFrom']),
        ),
        artifacts: arrayOf({
          ...closed({ name: ref('ioName'), from: nonEmpty, fromExpression: nonEmpty }, ['name']),
          allOf: exactlyOne('from', 'fromExpression'),
        }),
      }),
      parallelism: { type: 'integer', minimum: 1 },
      retryStrategy: ref('retryStrategy'),
      dag: {
        ...closed({ failFast: { type: 'boolean' }, target: nonEmpty, tasks: arrayOf(ref('dagTask'), { minItems: 1, maxItems: ARGO_CAPS.dagTasks }) }, ['tasks']),
        // A target list only comes with failFast off (see dag.ts).
        dependentRequired: { target: ['failFast'] },
      },
    },
    ['name', 'dag'],
  ),

  dagTask: {
    ...closed(
      {
        name: ref('name'),
        template: ref('name'),
        templateRef: closed({ name: ref('objectName'), template: ref('name') }, ['name', 'template']),
        depends: nonEmpty,
        when: nonEmpty,
        withItems: arrayOf(ref('item')),
        withParam: nonEmpty,
        arguments: closed({
          parameters: arrayOf(closed({ name: ref('ioName'), value: str }, ['name', 'value'])),
          artifacts: arrayOf(closed({ name: ref('ioName'), from: nonEmpty }, ['name', 'from'])),
        }),
      },
      ['name'],
    ),
    allOf: [...exactlyOne('template', 'templateRef'), notBoth('withItems', 'withParam')],
  },

  resources: closed({
    limits: { type: 'object', additionalProperties: ref('quantity') },
    requests: { type: 'object', additionalProperties: ref('quantity') },
  }),
  volumeMount: closed({ name: ref('objectName'), mountPath: nonEmpty, subPath: nonEmpty }, ['name', 'mountPath']),
  /** A literal value, or one read from a secret, a config map or a pod field. */
  envVar: {
    ...closed(
      {
        name: nonEmpty,
        value: str,
        valueFrom: {
          type: 'object',
          minProperties: 1,
          maxProperties: 1,
          properties: {
            secretKeyRef: closed({ name: nonEmpty, key: nonEmpty, optional: { type: 'boolean' } }, ['name', 'key']),
            configMapKeyRef: closed({ name: nonEmpty, key: nonEmpty, optional: { type: 'boolean' } }, ['name', 'key']),
            fieldRef: closed({ fieldPath: nonEmpty }, ['fieldPath']),
          },
          additionalProperties: false,
        },
      },
      ['name'],
    ),
    allOf: exactlyOne('value', 'valueFrom'),
  },
  /** Exactly one source per volume: the kinds the Kubernetes settings produce. */
  volume: {
    ...closed(
      {
        name: ref('objectName'),
        emptyDir: closed({ medium: { enum: ['', 'Memory'] }, sizeLimit: ref('quantity') }),
        secret: closed({ secretName: nonEmpty, optional: { type: 'boolean' } }, ['secretName']),
        configMap: closed({ name: nonEmpty, optional: { type: 'boolean' } }, ['name']),
        persistentVolumeClaim: closed({ claimName: nonEmpty, readOnly: { type: 'boolean' } }, ['claimName']),
        ephemeral: closed(
          {
            volumeClaimTemplate: closed(
              {
                metadata: ref('templateMetadata'),
                spec: closed(
                  {
                    accessModes: arrayOf({ enum: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'] }, { minItems: 1 }),
                    resources: closed({ requests: closed({ storage: ref('quantity') }, ['storage']) }, ['requests']),
                    storageClassName: nonEmpty,
                  },
                  ['accessModes', 'resources'],
                ),
              },
              ['spec'],
            ),
          },
          ['volumeClaimTemplate'],
        ),
      },
      ['name'],
    ),
    minProperties: 2,
    maxProperties: 2,
  },
  toleration: closed({
    key: str,
    operator: { enum: ['Exists', 'Equal'] },
    value: str,
    effect: { enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
    tolerationSeconds: int,
  }),
  nodeSelectorRequirement: closed(
    { key: nonEmpty, operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'] }, values: arrayOf(str) },
    ['key', 'operator'],
  ),
  nodeSelectorTerm: closed({ matchExpressions: arrayOf(ref('nodeSelectorRequirement')), matchFields: arrayOf(ref('nodeSelectorRequirement')) }),
  nodeAffinity: closed({
    requiredDuringSchedulingIgnoredDuringExecution: closed({ nodeSelectorTerms: arrayOf(ref('nodeSelectorTerm'), { minItems: 1 }) }, ['nodeSelectorTerms']),
    preferredDuringSchedulingIgnoredDuringExecution: arrayOf(
      closed({ weight: { type: 'integer', minimum: 1, maximum: 100 }, preference: ref('nodeSelectorTerm') }, ['weight', 'preference']),
    ),
  }),
  /** A `withItems` entry: a string, number, boolean, map or list (Argo's `Item`). */
  item: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'object' }, { type: 'array' }] },
  bucketKey: closed({ bucket: nonEmpty, key: str }, ['key']),
}

/** The schema of one emitted document (Workflow, WorkflowTemplate or CronWorkflow). */
export const argoDocumentSchema: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://typeflow.dev/schemas/argo-document.json',
  type: 'object',
  if: { type: 'object', properties: { kind: { const: 'CronWorkflow' } }, required: ['kind'] },
  then: ref('cronWorkflow'),
  else: ref('workflow'),
  $defs: defs,
}

function validate(doc: unknown): readonly ErrorObject[] {
  // Precompiled from argoDocumentSchema by scripts/generate-validators.ts (standalone.ts);
  // test/argo/schema-generated.test.ts keeps it in sync.
  const validator = generated.document
  return validator(doc) ? [] : (validator.errors ?? [])
}

/** One problem in an emitted document: a JSON pointer (`/<document index>/spec/…`) and what is wrong. */
export interface ArgoSchemaIssue {
  readonly path: string
  readonly message: string
}

function describe(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') {
    const field = String((e.params as { additionalProperty: string }).additionalProperty)
    const known = Object.keys((e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {})
    const meant = closestName(field, known)
    return `unknown field "${field}"${meant === undefined ? '' : ` (did you mean "${meant}"?)`}`
  }
  if (e.keyword === 'required') return `missing field "${String((e.params as { missingProperty: string }).missingProperty)}"`
  if (e.keyword === 'not') {
    // notBoth or exactlyOne: the `not` schema names the fields.
    const not = e.schema as { required?: readonly string[]; properties?: Record<string, unknown> }
    if (not.required) return `fields ${not.required.map((f) => `"${f}"`).join(' and ')} are mutually exclusive: set only one`
    return `exactly one of ${Object.keys(not.properties ?? {}).map((f) => `"${f}"`).join(', ')} must be set`
  }
  if (e.keyword === 'enum' || e.keyword === 'const') {
    const params = e.params as { allowedValues?: readonly unknown[]; allowedValue?: unknown }
    const allowed = params.allowedValues ?? [params.allowedValue]
    const got = e.data === undefined ? '' : `${JSON.stringify(e.data)} is not allowed; `
    return `${got}${allowed.length === 1 ? 'must be' : 'must be one of'} ${allowed.map((v) => JSON.stringify(v)).join(', ')}`
  }
  return e.message ?? e.keyword
}

/**
 * Checks emitted Argo documents against the strict schema of what the target emits. Returns every
 * issue, addressed `/<document index>/<JSON pointer>`.
 */
export function validateArgoDocuments(documents: readonly unknown[]): ArgoSchemaIssue[] {
  const issues: ArgoSchemaIssue[] = []
  documents.forEach((doc, i) => {
    const seen = new Set<string>()
    // `if` only says that its `then`/`else` branch failed; that branch's own errors say why.
    for (const e of validate(doc)) {
      if (e.keyword === 'if') continue
      const issue = { path: `/${i}${e.instancePath}`, message: describe(e) }
      const key = `${issue.path}\u0000${issue.message}`
      if (seen.has(key)) continue
      seen.add(key)
      issues.push(issue)
    }
  })
  return issues
}
