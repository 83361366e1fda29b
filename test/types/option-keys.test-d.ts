/**
 * The lists of option keys the DSL checks at run time (for JavaScript callers) are exactly the
 * keys of the option types: a field added to a type without its list would be refused as a typo.
 */
import { describe, expectTypeOf, test } from 'vitest'
import type { ComponentConfig, FunctionComponentConfig, GroupOptions, ImporterConfig, InitContainer, KubernetesOptions, LoopOptions, NodeAffinityTerm, PipelineConfig, RetryOptions, TaskOptions, TaskResources, Toleration } from '@typeflow/dsl'
import { COMPONENT_CONFIG_KEYS } from '../../packages/dsl/src/component.ts'
import { FUNCTION_COMPONENT_CONFIG_KEYS } from '../../packages/dsl/src/function-component.ts'
import { ACCELERATOR_KEYS, INIT_CONTAINER_KEYS, KUBERNETES_OPTION_KEYS, NODE_AFFINITY_TERM_KEYS, RESOURCE_KEYS, TOLERATION_KEYS } from '../../packages/dsl/src/kubernetes.ts'
import { GROUP_OPTION_KEYS, IMPORTER_CONFIG_KEYS, LOOP_OPTION_KEYS, PIPELINE_CONFIG_KEYS, RETRY_KEYS, TASK_OPTION_KEYS } from '../../packages/dsl/src/pipeline.ts'
import { ARTIFACT_OPTION_KEYS, PARAM_OPTION_KEYS } from '../../packages/dsl/src/option-keys.ts'
import type { ArtifactOptions, ParamOptions } from '../../packages/dsl/src/types.ts'

type Keys<List extends readonly string[]> = List[number]

describe('option key lists', () => {
  test('equal the keys of their types', () => {
    expectTypeOf<Keys<typeof COMPONENT_CONFIG_KEYS>>().toEqualTypeOf<keyof ComponentConfig<{}, {}>>()
    expectTypeOf<Keys<typeof FUNCTION_COMPONENT_CONFIG_KEYS>>().toEqualTypeOf<keyof FunctionComponentConfig<{}, {}>>()
    expectTypeOf<Keys<typeof PIPELINE_CONFIG_KEYS>>().toEqualTypeOf<keyof PipelineConfig<{}>>()
    expectTypeOf<Keys<typeof TASK_OPTION_KEYS>>().toEqualTypeOf<keyof TaskOptions>()
    expectTypeOf<Keys<typeof RESOURCE_KEYS>>().toEqualTypeOf<keyof TaskResources>()
    expectTypeOf<Keys<typeof ACCELERATOR_KEYS>>().toEqualTypeOf<keyof NonNullable<TaskResources['accelerator']>>()
    expectTypeOf<Keys<typeof RETRY_KEYS>>().toEqualTypeOf<keyof RetryOptions>()
    expectTypeOf<Keys<typeof KUBERNETES_OPTION_KEYS>>().toEqualTypeOf<keyof KubernetesOptions>()
    expectTypeOf<Keys<typeof TOLERATION_KEYS>>().toEqualTypeOf<keyof Toleration>()
    expectTypeOf<Keys<typeof NODE_AFFINITY_TERM_KEYS>>().toEqualTypeOf<keyof NodeAffinityTerm>()
    expectTypeOf<Keys<typeof INIT_CONTAINER_KEYS>>().toEqualTypeOf<keyof InitContainer>()
    expectTypeOf<Keys<typeof GROUP_OPTION_KEYS>>().toEqualTypeOf<keyof GroupOptions>()
    expectTypeOf<Keys<typeof LOOP_OPTION_KEYS>>().toEqualTypeOf<keyof LoopOptions>()
    expectTypeOf<Keys<typeof IMPORTER_CONFIG_KEYS>>().toEqualTypeOf<keyof ImporterConfig<string>>()
    expectTypeOf<Keys<typeof PARAM_OPTION_KEYS>>().toEqualTypeOf<keyof ParamOptions<unknown>>()
    expectTypeOf<Keys<typeof ARTIFACT_OPTION_KEYS>>().toEqualTypeOf<keyof ArtifactOptions>()
  })
})
