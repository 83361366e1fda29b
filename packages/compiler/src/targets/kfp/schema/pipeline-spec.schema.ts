/**
 * Strict JSON Schema (draft 2020-12) for the KFP v2 IR `PipelineSpec` as the KFP SDK serializes it
 * (proto3 JSON mapping of `ml_pipelines.PipelineSpec`, `api/v2alpha1/pipeline_spec.proto`).
 *
 * Written by hand from the proto field tables (`reference/kfp/fields/pipeline_spec.fields.md`).
 * Conventions:
 * - every message is a closed object (`additionalProperties: false`) with the exact lowerCamelCase JSON names;
 * - `$defs` are named after the proto message (nested messages keep their dotted path, e.g.
 *   `PipelineTaskSpec.CachingOptions`); scalar/well-known types have their own `$defs` (`int32`, `int64`,
 *   `google.protobuf.Value`, ...) whose `title` is used to word error messages;
 * - proto `oneof` groups are enforced with `not: {type: 'object', required: [a, b]}` for every pair of members (at most one set);
 *   where the backend cannot work without a member (component implementation, executor kind, input source, ...)
 *   `not: {type: 'object', properties: {a: false, b: false, ...}}` (not none of them) additionally
 *   demands exactly one;
 * - `deploymentSpec` is a `google.protobuf.Struct` in the proto, but it always holds a serialized
 *   `PipelineDeploymentConfig`, so it is validated strictly as one.
 *
 * Beyond the proto (which has no required fields) the schema requires what the KFP backend cannot do without:
 * `pipelineInfo.name`, `root`, `schemaVersion`, `componentRef.name`, producer task/output keys of references,
 * a container `image`, importer `artifactUri`/`typeSchema`, `parameterType` of interface parameters, ...
 */

type Schema = Record<string, unknown>

const ref = (name: string): Schema => ({ $ref: `#/$defs/${name}` })
const arrayOf = (items: Schema): Schema => ({ type: 'array', items })
const mapOf = (values: Schema, title = 'map'): Schema => ({ title, type: 'object', additionalProperties: values })
const str: Schema = { type: 'string' }
const nonEmptyStr: Schema = { type: 'string', minLength: 1 }
const bool: Schema = { type: 'boolean' }
const deprecated = (s: Schema): Schema => ({ ...s, deprecated: true })

interface MessageOptions {
  /** Fields the backend needs (the proto itself has no required fields). */
  readonly required?: readonly string[]
  /** proto oneof groups: at most one member may be present. */
  readonly oneofs?: Readonly<Record<string, readonly string[]>>
  /** oneof groups of which exactly one member must be present. */
  readonly requiredOneofs?: readonly string[]
}

/**
 * A closed object schema for one proto message (oneof groups enforced). Exported for `platform-spec.schema.ts`.
 *
 * @example
 * ```ts
 * message('ComponentRef', { name: { type: 'string' } }, { required: ['name'] })
 * // { title: 'ComponentRef', type: 'object', additionalProperties: false, properties: {...}, required: ['name'] }
 * ```
 */
export function message(title: string, properties: Readonly<Record<string, Schema>>, opts: MessageOptions = {}): Schema {
  const s: Schema = { title, type: 'object', additionalProperties: false, properties }
  if (opts.required !== undefined && opts.required.length > 0) s['required'] = [...opts.required]
  const allOf: Schema[] = []
  const atLeastOnes: Schema[] = []
  for (const [group, members] of Object.entries(opts.oneofs ?? {})) {
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        const pair = [members[i] ?? '', members[j] ?? '']
        // `properties: {a: true, b: true}` only declares the members for ajv's strictRequired check.
        allOf.push({
          description: `oneof ${group}`,
          not: { type: 'object', properties: Object.fromEntries(pair.map((m) => [m, true])), required: pair },
        })
      }
    }
    if (opts.requiredOneofs?.includes(group) === true) {
      // "Not none of them" rather than `anyOf` of each `required`: ajv builds a full error for
      // every branch that fails before one passes, and drops them; under `not` it builds none.
      // 55 of 230 ms of validation at nested 10,000 tasks.
      atLeastOnes.push({
        description: `oneof ${group}`,
        not: { type: 'object', properties: Object.fromEntries(members.map((m) => [m, false])) },
      })
    }
  }
  allOf.push(...atLeastOnes)
  if (allOf.length > 0) s['allOf'] = allOf
  return s
}

/**
 * Scalar and well-known-type definitions shared by both schemas (proto3 JSON mapping).
 *
 * @example
 * ```ts
 * scalarDefs['google.protobuf.Duration'] // { title: 'google.protobuf.Duration', type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?s$' }
 * ```
 */
export const scalarDefs: Record<string, Schema> = {
  int32: { title: 'int32', type: 'integer', minimum: -2147483648, maximum: 2147483647 },
  // proto3 JSON writes 64-bit integers as decimal strings; parsers also accept JSON numbers.
  int64: { title: 'int64', type: ['string', 'integer'], pattern: '^-?(0|[1-9][0-9]*)$' },
  uint64: { title: 'uint64', type: ['string', 'integer'], pattern: '^(0|[1-9][0-9]*)$', minimum: 0 },
  double: { title: 'double', type: 'number' },
  'google.protobuf.Value': { title: 'google.protobuf.Value', description: 'any JSON value' },
  'google.protobuf.Struct': { title: 'google.protobuf.Struct', type: 'object' },
  'google.protobuf.Duration': { title: 'google.protobuf.Duration', type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?s$' },
}

const enumDefs: Record<string, Schema> = {
  'PrimitiveType.PrimitiveTypeEnum': {
    title: 'PrimitiveType.PrimitiveTypeEnum',
    enum: ['PRIMITIVE_TYPE_UNSPECIFIED', 'INT', 'DOUBLE', 'STRING'],
  },
  'ParameterType.ParameterTypeEnum': {
    title: 'ParameterType.ParameterTypeEnum',
    enum: [
      'PARAMETER_TYPE_ENUM_UNSPECIFIED',
      'NUMBER_DOUBLE',
      'NUMBER_INTEGER',
      'STRING',
      'BOOLEAN',
      'LIST',
      'STRUCT',
      'TASK_FINAL_STATUS',
      'TASK_CONFIG',
    ],
  },
  'TaskConfigPassthroughType.TaskConfigPassthroughTypeEnum': {
    title: 'TaskConfigPassthroughType.TaskConfigPassthroughTypeEnum',
    enum: [
      'NONE',
      'RESOURCES',
      'ENV',
      'KUBERNETES_AFFINITY',
      'KUBERNETES_TOLERATIONS',
      'KUBERNETES_NODE_SELECTOR',
      'KUBERNETES_VOLUMES',
    ],
  },
  'PipelineTaskSpec.TriggerPolicy.TriggerStrategy': {
    title: 'PipelineTaskSpec.TriggerPolicy.TriggerStrategy',
    enum: ['TRIGGER_STRATEGY_UNSPECIFIED', 'ALL_UPSTREAM_TASKS_SUCCEEDED', 'ALL_UPSTREAM_TASKS_COMPLETED'],
  },
}

const messageDefs: Record<string, Schema> = {
  PipelineSpec: message(
    'PipelineSpec',
    {
      pipelineInfo: ref('PipelineInfo'),
      // google.protobuf.Struct in the proto; always a serialized PipelineDeploymentConfig.
      deploymentSpec: ref('PipelineDeploymentConfig'),
      sdkVersion: str,
      schemaVersion: {
        type: 'string',
        pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$',
        description: 'an IR schema version such as "2.1.0"',
      },
      components: mapOf(ref('ComponentSpec'), 'map<string, ComponentSpec>'),
      root: ref('ComponentSpec'),
      defaultPipelineRoot: str,
    },
    { required: ['pipelineInfo', 'root', 'schemaVersion'] },
  ),
  PipelineInfo: message('PipelineInfo', { name: nonEmptyStr, displayName: str, description: str }, { required: ['name'] }),

  ComponentSpec: message(
    'ComponentSpec',
    {
      inputDefinitions: ref('ComponentInputsSpec'),
      outputDefinitions: ref('ComponentOutputsSpec'),
      dag: ref('DagSpec'),
      executorLabel: nonEmptyStr,
      singlePlatformSpecs: arrayOf(ref('SinglePlatformSpec')),
      taskConfigPassthroughs: arrayOf(ref('TaskConfigPassthrough')),
    },
    { oneofs: { implementation: ['dag', 'executorLabel'] }, requiredOneofs: ['implementation'] },
  ),
  TaskConfigPassthrough: message('TaskConfigPassthrough', {
    field: ref('TaskConfigPassthroughType.TaskConfigPassthroughTypeEnum'),
    applyToTask: bool,
  }),

  DagSpec: message('DagSpec', {
    tasks: mapOf(ref('PipelineTaskSpec'), 'map<string, PipelineTaskSpec>'),
    outputs: ref('DagOutputsSpec'),
  }),
  DagOutputsSpec: message('DagOutputsSpec', {
    artifacts: mapOf(ref('DagOutputsSpec.DagOutputArtifactSpec'), 'map<string, DagOutputArtifactSpec>'),
    parameters: mapOf(ref('DagOutputsSpec.DagOutputParameterSpec'), 'map<string, DagOutputParameterSpec>'),
  }),
  'DagOutputsSpec.ArtifactSelectorSpec': message(
    'DagOutputsSpec.ArtifactSelectorSpec',
    { producerSubtask: nonEmptyStr, outputArtifactKey: nonEmptyStr },
    { required: ['producerSubtask', 'outputArtifactKey'] },
  ),
  'DagOutputsSpec.DagOutputArtifactSpec': message(
    'DagOutputsSpec.DagOutputArtifactSpec',
    { artifactSelectors: { ...arrayOf(ref('DagOutputsSpec.ArtifactSelectorSpec')), minItems: 1 } },
    { required: ['artifactSelectors'] },
  ),
  'DagOutputsSpec.ParameterSelectorSpec': message(
    'DagOutputsSpec.ParameterSelectorSpec',
    { producerSubtask: nonEmptyStr, outputParameterKey: nonEmptyStr },
    { required: ['producerSubtask', 'outputParameterKey'] },
  ),
  'DagOutputsSpec.ParameterSelectorsSpec': message(
    'DagOutputsSpec.ParameterSelectorsSpec',
    { parameterSelectors: { ...arrayOf(ref('DagOutputsSpec.ParameterSelectorSpec')), minItems: 1 } },
    { required: ['parameterSelectors'] },
  ),
  'DagOutputsSpec.MapParameterSelectorsSpec': message('DagOutputsSpec.MapParameterSelectorsSpec', {
    mappedParameters: mapOf(ref('DagOutputsSpec.ParameterSelectorSpec'), 'map<string, ParameterSelectorSpec>'),
  }),
  'DagOutputsSpec.DagOutputParameterSpec': message(
    'DagOutputsSpec.DagOutputParameterSpec',
    {
      valueFromParameter: ref('DagOutputsSpec.ParameterSelectorSpec'),
      valueFromOneof: ref('DagOutputsSpec.ParameterSelectorsSpec'),
    },
    { oneofs: { kind: ['valueFromParameter', 'valueFromOneof'] }, requiredOneofs: ['kind'] },
  ),

  ComponentInputsSpec: message('ComponentInputsSpec', {
    artifacts: mapOf(ref('ComponentInputsSpec.ArtifactSpec'), 'map<string, ArtifactSpec>'),
    parameters: mapOf(ref('ComponentInputsSpec.ParameterSpec'), 'map<string, ParameterSpec>'),
  }),
  'ComponentInputsSpec.ArtifactSpec': message(
    'ComponentInputsSpec.ArtifactSpec',
    { artifactType: ref('ArtifactTypeSchema'), isArtifactList: bool, isOptional: bool, description: str },
    { required: ['artifactType'] },
  ),
  'ComponentInputsSpec.ParameterSpec': message(
    'ComponentInputsSpec.ParameterSpec',
    {
      type: deprecated(ref('PrimitiveType.PrimitiveTypeEnum')),
      parameterType: ref('ParameterType.ParameterTypeEnum'),
      defaultValue: ref('google.protobuf.Value'),
      isOptional: bool,
      description: str,
      literals: arrayOf(ref('google.protobuf.Value')),
    },
    { required: ['parameterType'] },
  ),
  ComponentOutputsSpec: message('ComponentOutputsSpec', {
    artifacts: mapOf(ref('ComponentOutputsSpec.ArtifactSpec'), 'map<string, ArtifactSpec>'),
    parameters: mapOf(ref('ComponentOutputsSpec.ParameterSpec'), 'map<string, ParameterSpec>'),
  }),
  'ComponentOutputsSpec.ArtifactSpec': message(
    'ComponentOutputsSpec.ArtifactSpec',
    {
      artifactType: ref('ArtifactTypeSchema'),
      properties: deprecated(mapOf(ref('ValueOrRuntimeParameter'), 'map<string, ValueOrRuntimeParameter>')),
      customProperties: deprecated(mapOf(ref('ValueOrRuntimeParameter'), 'map<string, ValueOrRuntimeParameter>')),
      metadata: ref('google.protobuf.Struct'),
      isArtifactList: bool,
      description: str,
    },
    { required: ['artifactType'] },
  ),
  'ComponentOutputsSpec.ParameterSpec': message(
    'ComponentOutputsSpec.ParameterSpec',
    {
      type: deprecated(ref('PrimitiveType.PrimitiveTypeEnum')),
      parameterType: ref('ParameterType.ParameterTypeEnum'),
      description: str,
    },
    { required: ['parameterType'] },
  ),

  TaskInputsSpec: message('TaskInputsSpec', {
    parameters: mapOf(ref('TaskInputsSpec.InputParameterSpec'), 'map<string, InputParameterSpec>'),
    artifacts: mapOf(ref('TaskInputsSpec.InputArtifactSpec'), 'map<string, InputArtifactSpec>'),
  }),
  'TaskInputsSpec.InputArtifactSpec': message(
    'TaskInputsSpec.InputArtifactSpec',
    {
      taskOutputArtifact: ref('TaskInputsSpec.InputArtifactSpec.TaskOutputArtifactSpec'),
      componentInputArtifact: nonEmptyStr,
    },
    { oneofs: { kind: ['taskOutputArtifact', 'componentInputArtifact'] }, requiredOneofs: ['kind'] },
  ),
  'TaskInputsSpec.InputArtifactSpec.TaskOutputArtifactSpec': message(
    'TaskInputsSpec.InputArtifactSpec.TaskOutputArtifactSpec',
    { producerTask: nonEmptyStr, outputArtifactKey: nonEmptyStr },
    { required: ['producerTask', 'outputArtifactKey'] },
  ),
  'TaskInputsSpec.InputParameterSpec': message(
    'TaskInputsSpec.InputParameterSpec',
    {
      taskOutputParameter: ref('TaskInputsSpec.InputParameterSpec.TaskOutputParameterSpec'),
      runtimeValue: ref('ValueOrRuntimeParameter'),
      componentInputParameter: nonEmptyStr,
      taskFinalStatus: ref('TaskInputsSpec.InputParameterSpec.TaskFinalStatus'),
      parameterExpressionSelector: str,
    },
    {
      oneofs: { kind: ['taskOutputParameter', 'runtimeValue', 'componentInputParameter', 'taskFinalStatus'] },
      requiredOneofs: ['kind'],
    },
  ),
  'TaskInputsSpec.InputParameterSpec.TaskOutputParameterSpec': message(
    'TaskInputsSpec.InputParameterSpec.TaskOutputParameterSpec',
    { producerTask: nonEmptyStr, outputParameterKey: nonEmptyStr },
    { required: ['producerTask', 'outputParameterKey'] },
  ),
  'TaskInputsSpec.InputParameterSpec.TaskFinalStatus': message(
    'TaskInputsSpec.InputParameterSpec.TaskFinalStatus',
    { producerTask: nonEmptyStr },
    { required: ['producerTask'] },
  ),

  PipelineTaskSpec: message(
    'PipelineTaskSpec',
    {
      taskInfo: ref('PipelineTaskInfo'),
      inputs: ref('TaskInputsSpec'),
      dependentTasks: arrayOf(nonEmptyStr),
      cachingOptions: ref('PipelineTaskSpec.CachingOptions'),
      componentRef: ref('ComponentRef'),
      triggerPolicy: ref('PipelineTaskSpec.TriggerPolicy'),
      artifactIterator: ref('ArtifactIteratorSpec'),
      parameterIterator: ref('ParameterIteratorSpec'),
      retryPolicy: ref('PipelineTaskSpec.RetryPolicy'),
      iteratorPolicy: ref('PipelineTaskSpec.IteratorPolicy'),
    },
    { required: ['taskInfo', 'componentRef'], oneofs: { iterator: ['artifactIterator', 'parameterIterator'] } },
  ),
  'PipelineTaskSpec.CachingOptions': message('PipelineTaskSpec.CachingOptions', { enableCache: bool, cacheKey: str }),
  'PipelineTaskSpec.TriggerPolicy': message('PipelineTaskSpec.TriggerPolicy', {
    condition: str,
    strategy: ref('PipelineTaskSpec.TriggerPolicy.TriggerStrategy'),
  }),
  'PipelineTaskSpec.RetryPolicy': message('PipelineTaskSpec.RetryPolicy', {
    maxRetryCount: ref('int32'),
    backoffDuration: ref('google.protobuf.Duration'),
    backoffFactor: ref('double'),
    backoffMaxDuration: ref('google.protobuf.Duration'),
  }),
  'PipelineTaskSpec.IteratorPolicy': message('PipelineTaskSpec.IteratorPolicy', { parallelismLimit: ref('int32') }),
  ArtifactIteratorSpec: message(
    'ArtifactIteratorSpec',
    { items: ref('ArtifactIteratorSpec.ItemsSpec'), itemInput: nonEmptyStr },
    { required: ['items', 'itemInput'] },
  ),
  'ArtifactIteratorSpec.ItemsSpec': message(
    'ArtifactIteratorSpec.ItemsSpec',
    { inputArtifact: nonEmptyStr },
    { required: ['inputArtifact'] },
  ),
  ParameterIteratorSpec: message(
    'ParameterIteratorSpec',
    { items: ref('ParameterIteratorSpec.ItemsSpec'), itemInput: nonEmptyStr },
    { required: ['items', 'itemInput'] },
  ),
  'ParameterIteratorSpec.ItemsSpec': message(
    'ParameterIteratorSpec.ItemsSpec',
    { raw: str, inputParameter: nonEmptyStr },
    { oneofs: { kind: ['raw', 'inputParameter'] }, requiredOneofs: ['kind'] },
  ),
  ComponentRef: message('ComponentRef', { name: nonEmptyStr }, { required: ['name'] }),
  PipelineTaskInfo: message('PipelineTaskInfo', { name: str }),

  ArtifactTypeSchema: message(
    'ArtifactTypeSchema',
    {
      schemaTitle: nonEmptyStr,
      schemaUri: deprecated(nonEmptyStr),
      instanceSchema: nonEmptyStr,
      schemaVersion: str,
    },
    { oneofs: { kind: ['schemaTitle', 'schemaUri', 'instanceSchema'] }, requiredOneofs: ['kind'] },
  ),
  ValueOrRuntimeParameter: message(
    'ValueOrRuntimeParameter',
    {
      constantValue: deprecated(ref('Value')),
      runtimeParameter: nonEmptyStr,
      constant: ref('google.protobuf.Value'),
    },
    { oneofs: { value: ['constantValue', 'runtimeParameter', 'constant'] }, requiredOneofs: ['value'] },
  ),
  /** ml_pipelines.Value (deprecated literal value message), not google.protobuf.Value. */
  Value: message(
    'Value',
    { intValue: ref('int64'), doubleValue: ref('double'), stringValue: str },
    { oneofs: { value: ['intValue', 'doubleValue', 'stringValue'] } },
  ),

  PipelineDeploymentConfig: message(
    'PipelineDeploymentConfig',
    {
      executors: mapOf(ref('PipelineDeploymentConfig.ExecutorSpec'), 'map<string, ExecutorSpec>'),
    },
  ),
  'PipelineDeploymentConfig.ExecutorSpec': message(
    'PipelineDeploymentConfig.ExecutorSpec',
    {
      container: ref('PipelineDeploymentConfig.PipelineContainerSpec'),
      importer: ref('PipelineDeploymentConfig.ImporterSpec'),
      resolver: ref('PipelineDeploymentConfig.ResolverSpec'),
      customJob: deprecated(ref('PipelineDeploymentConfig.AIPlatformCustomJobSpec')),
    },
    { oneofs: { spec: ['container', 'importer', 'resolver', 'customJob'] }, requiredOneofs: ['spec'] },
  ),
  'PipelineDeploymentConfig.PipelineContainerSpec': message(
    'PipelineDeploymentConfig.PipelineContainerSpec',
    {
      image: nonEmptyStr,
      command: arrayOf(str),
      args: arrayOf(str),
      lifecycle: ref('PipelineDeploymentConfig.PipelineContainerSpec.Lifecycle'),
      resources: ref('PipelineDeploymentConfig.PipelineContainerSpec.ResourceSpec'),
      env: arrayOf(ref('PipelineDeploymentConfig.PipelineContainerSpec.EnvVar')),
    },
    { required: ['image'] },
  ),
  'PipelineDeploymentConfig.PipelineContainerSpec.Lifecycle': message(
    'PipelineDeploymentConfig.PipelineContainerSpec.Lifecycle',
    { preCacheCheck: ref('PipelineDeploymentConfig.PipelineContainerSpec.Lifecycle.Exec') },
  ),
  'PipelineDeploymentConfig.PipelineContainerSpec.Lifecycle.Exec': message(
    'PipelineDeploymentConfig.PipelineContainerSpec.Lifecycle.Exec',
    { command: arrayOf(str), args: arrayOf(str) },
  ),
  'PipelineDeploymentConfig.PipelineContainerSpec.ResourceSpec': message(
    'PipelineDeploymentConfig.PipelineContainerSpec.ResourceSpec',
    {
      cpuLimit: deprecated(ref('double')),
      memoryLimit: deprecated(ref('double')),
      cpuRequest: deprecated(ref('double')),
      memoryRequest: deprecated(ref('double')),
      resourceCpuLimit: str,
      resourceMemoryLimit: str,
      resourceCpuRequest: str,
      resourceMemoryRequest: str,
      accelerator: ref('PipelineDeploymentConfig.PipelineContainerSpec.ResourceSpec.AcceleratorConfig'),
    },
  ),
  'PipelineDeploymentConfig.PipelineContainerSpec.ResourceSpec.AcceleratorConfig': message(
    'PipelineDeploymentConfig.PipelineContainerSpec.ResourceSpec.AcceleratorConfig',
    {
      type: deprecated(str),
      count: deprecated(ref('int64')),
      resourceType: str,
      resourceCount: str,
    },
  ),
  'PipelineDeploymentConfig.PipelineContainerSpec.EnvVar': message(
    'PipelineDeploymentConfig.PipelineContainerSpec.EnvVar',
    { name: nonEmptyStr, value: str },
    { required: ['name'] },
  ),
  'PipelineDeploymentConfig.ImporterSpec': message(
    'PipelineDeploymentConfig.ImporterSpec',
    {
      artifactUri: ref('ValueOrRuntimeParameter'),
      typeSchema: ref('ArtifactTypeSchema'),
      properties: deprecated(mapOf(ref('ValueOrRuntimeParameter'), 'map<string, ValueOrRuntimeParameter>')),
      customProperties: deprecated(mapOf(ref('ValueOrRuntimeParameter'), 'map<string, ValueOrRuntimeParameter>')),
      reimport: bool,
      metadata: ref('google.protobuf.Struct'),
      downloadToWorkspace: bool,
    },
    { required: ['artifactUri', 'typeSchema'] },
  ),
  'PipelineDeploymentConfig.ResolverSpec': message('PipelineDeploymentConfig.ResolverSpec', {
    outputArtifactQueries: mapOf(
      ref('PipelineDeploymentConfig.ResolverSpec.ArtifactQuerySpec'),
      'map<string, ArtifactQuerySpec>',
    ),
  }),
  'PipelineDeploymentConfig.ResolverSpec.ArtifactQuerySpec': message(
    'PipelineDeploymentConfig.ResolverSpec.ArtifactQuerySpec',
    { filter: str, limit: ref('int32') },
  ),
  'PipelineDeploymentConfig.AIPlatformCustomJobSpec': message('PipelineDeploymentConfig.AIPlatformCustomJobSpec', {
    customJob: ref('google.protobuf.Struct'),
  }),

  // Platform messages (defined in pipeline_spec.proto; referenced by ComponentSpec.singlePlatformSpecs).
  PlatformSpec: message(
    'PlatformSpec',
    { platforms: mapOf(ref('SinglePlatformSpec'), 'map<string, SinglePlatformSpec>') },
    { required: ['platforms'] },
  ),
  SinglePlatformSpec: message('SinglePlatformSpec', {
    deploymentSpec: ref('PlatformDeploymentConfig'),
    platform: str,
    config: ref('google.protobuf.Struct'),
    pipelineConfig: ref('PipelineConfig'),
  }),
  PlatformDeploymentConfig: message('PlatformDeploymentConfig', {
    executors: mapOf(ref('google.protobuf.Struct'), 'map<string, google.protobuf.Struct>'),
  }),
  PipelineConfig: message('PipelineConfig', {
    resourceTtlOnCompletion: ref('int32'),
    workspace: ref('WorkspaceConfig'),
    resourceTtlOnSuccess: ref('int32'),
    resourceTtlOnFailure: ref('int32'),
    activeDeadlineSeconds: ref('int32'),
  }),
  WorkspaceConfig: message('WorkspaceConfig', { size: str, kubernetes: ref('KubernetesWorkspaceConfig') }),
  KubernetesWorkspaceConfig: message('KubernetesWorkspaceConfig', { pvcSpecPatch: ref('google.protobuf.Struct') }),
}

/**
 * JSON Schema of the KFP v2 IR `PipelineSpec` (first document of a compiled KFP YAML file).
 * Use it through `validatePipelineSpec` (`./validate.ts`), or with any draft 2020-12 validator.
 *
 * @example
 * ```ts
 * const validate = new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(pipelineSpecSchema)
 * validate(JSON.parse(text))
 * ```
 */
export const pipelineSpecSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:typeflow:kfp:pipeline-spec',
  title: 'KFP v2 PipelineSpec',
  $ref: '#/$defs/PipelineSpec',
  $defs: { ...scalarDefs, ...enumDefs, ...messageDefs },
}
