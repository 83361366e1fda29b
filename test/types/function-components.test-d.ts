import { writeFileSync } from 'node:fs'
import { describe, expectTypeOf, test } from 'vitest'
import {
  artifact,
  type ArtifactRef,
  type ComponentDef,
  Dataset,
  functionComponent,
  type FunctionInputArtifact,
  type FunctionOutputArtifact,
  type JsonValue,
  Metrics,
  Model,
  param,
  type ParamRef,
  pipeline,
} from '@typeflow/dsl'

const inputs = {
  data: artifact(Dataset),
  shards: artifact.list(Dataset),
  warmStart: artifact(Model, { optional: true }),
  epochs: param.int(),
  rate: param.float({ default: 0.1 }),
  name: param.string(),
  verbose: param.bool({ optional: true }),
  columns: param.list<string>(),
  config: param.struct<{ seed: number }>(),
}
const outputs = { model: artifact(Model), metrics: artifact(Metrics), accuracy: param.float(), notes: param.string({ optional: true }) }

describe('the function of a function component', () => {
  test('receives parameters as values, artifacts as objects, lists as arrays, output artifacts to write', () => {
    functionComponent({ name: 'train', inputs, outputs }, (args) => {
      expectTypeOf(args.data).toEqualTypeOf<FunctionInputArtifact>()
      expectTypeOf(args.data.path).toEqualTypeOf<string>()
      expectTypeOf(args.data.uri).toEqualTypeOf<string>()
      expectTypeOf(args.data.metadata).toEqualTypeOf<Readonly<Record<string, JsonValue>>>()
      expectTypeOf(args.shards).toEqualTypeOf<readonly FunctionInputArtifact[]>()
      expectTypeOf(args.warmStart).toEqualTypeOf<FunctionInputArtifact | undefined>()
      expectTypeOf(args.epochs).toEqualTypeOf<number>()
      expectTypeOf(args.rate).toEqualTypeOf<number | undefined>()
      expectTypeOf(args.name).toEqualTypeOf<string>()
      expectTypeOf(args.verbose).toEqualTypeOf<boolean | undefined>()
      expectTypeOf(args.columns).toEqualTypeOf<readonly string[]>()
      expectTypeOf(args.config).toEqualTypeOf<{ seed: number }>()
      expectTypeOf(args.model).toEqualTypeOf<FunctionOutputArtifact>()
      expectTypeOf(args.metrics.metadata).toEqualTypeOf<Record<string, JsonValue>>()
      // Output parameters are returned, not received.
      expectTypeOf(args).not.toHaveProperty('accuracy')
      expectTypeOf(args).not.toHaveProperty('notes')
      return { accuracy: 0.9 }
    })
  })

  test('returns its output parameters (optional ones may be left out), possibly from a promise', () => {
    functionComponent({ name: 'a', outputs }, () => ({ accuracy: 1, notes: 'ok' }))
    functionComponent({ name: 'b', outputs }, async () => ({ accuracy: 1 }))
    functionComponent({ name: 'c', outputs: { total: param.int(), stats: param.struct<{ n: number }>() } }, () => ({ total: 1, stats: { n: 2 } }))
  })

  test('a wrong return type is an error', () => {
    // @ts-expect-error accuracy is a number
    functionComponent({ name: 'a', outputs }, () => ({ accuracy: 'high' }))
    // @ts-expect-error accuracy is missing
    functionComponent({ name: 'b', outputs }, () => ({ notes: 'forgot' }))
    // @ts-expect-error the promise resolves to the wrong shape
    functionComponent({ name: 'c', outputs }, async () => ({ accuracy: true }))
    // @ts-expect-error struct fields are checked too
    functionComponent({ name: 'd', outputs: { stats: param.struct<{ n: number }>() } }, () => ({ stats: { n: 'x' } }))
  })

  test('without output parameters it returns nothing', () => {
    functionComponent({ name: 'a', outputs: { model: artifact(Model) } }, ({ model }) => {
      writeFileSync(model.path, '')
    })
    functionComponent({ name: 'b' }, async () => {})
    // @ts-expect-error no output parameters to return
    functionComponent({ name: 'c', outputs: { model: artifact(Model) } }, () => 42)
  })

  test('reading an undeclared input is an error', () => {
    // @ts-expect-error "epoch" is not declared (did you mean epochs?)
    functionComponent({ name: 'a', inputs }, ({ epoch }) => {
      void epoch
    })
    functionComponent({ name: 'b', inputs }, (args) => {
      // @ts-expect-error no such input
      void args.learningRate
    })
  })

  test('input artifacts: the file at path may be written, but the artifact and its metadata are read-only', () => {
    functionComponent({ name: 'a', inputs, outputs: { model: artifact(Model) } }, ({ data, model }) => {
      writeFileSync(data.path, 'scratch')
      // @ts-expect-error input metadata is read-only
      data.metadata['rows'] = 3
      // @ts-expect-error so is its path
      data.path = '/elsewhere'
      // Output artifacts take metadata; their path and uri stay fixed.
      model.metadata['framework'] = 'onnx'
      model.metadata = { framework: 'onnx' }
      // @ts-expect-error the orchestrator uploads from this path
      model.path = '/elsewhere'
      // @ts-expect-error metadata must be JSON
      model.metadata['when'] = new Date()
    })
  })

  test('an input artifact list is read-only', () => {
    functionComponent({ name: 'a', inputs }, ({ shards }) => {
      // @ts-expect-error readonly array
      shards.push(shards[0]!)
    })
  })
})

describe('a function component in a pipeline', () => {
  const train = functionComponent({ name: 'train', inputs, outputs }, () => ({ accuracy: 1 }))

  test('is a typed component like any other', () => {
    expectTypeOf(train).toEqualTypeOf<ComponentDef<typeof inputs, typeof outputs>>()
    pipeline({ name: 'p' }, (dag) => {
      const prep = dag.task(functionComponent({ name: 'prep', outputs: { data: artifact(Dataset) } }, () => {}))
      const fit = dag.task(train, { data: prep.outputs.data, shards: [] as never, epochs: 3, name: 'x', columns: [], config: { seed: 1 } })
      expectTypeOf(fit.outputs.model).toEqualTypeOf<ArtifactRef<'system.Model', false>>()
      expectTypeOf(fit.outputs.accuracy).toEqualTypeOf<ParamRef<number>>()
      // @ts-expect-error epochs is an integer parameter
      dag.task(train, { data: prep.outputs.data, shards: [] as never, epochs: 'three', name: 'x', columns: [], config: { seed: 1 } }, { name: 'bad' })
    })
  })

  test('config: image and packages are optional, packages are strings', () => {
    functionComponent({ name: 'a', image: 'node:20-alpine', packages: ['lodash@4.17.21'] }, () => {})
    // @ts-expect-error packages are npm specs
    functionComponent({ name: 'b', packages: [{ name: 'lodash' }] }, () => {})
  })
})
