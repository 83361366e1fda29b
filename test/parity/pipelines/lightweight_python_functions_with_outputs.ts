import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/lightweight_python_functions_with_outputs.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const addNumbers = components['add-numbers']!
  const concatMessage = components['concat-message']!
  const outputArtifact = components['output-artifact']!
  const outputNamedTuple = components['output-named-tuple']!
  return pipeline({
    name: 'functions-with-outputs',
    inputs: {
      first_message: param.string(),
      first_number: param.int(),
      second_message: param.string(),
      second_number: param.int(),
    },
  }, (dag, p) => {
    const addNumbersTask = dag.task(addNumbers, { first: p.first_number, second: p.second_number })
    const concatMessageTask = dag.task(concatMessage, { first: p.first_message, second: p.second_message })
    const outputArtifactTask = dag.task(outputArtifact, {
      message: concatMessageTask.outputs.Output!,
      number: addNumbersTask.outputs.Output!,
    })
    dag.task(outputNamedTuple, { artifact: outputArtifactTask.outputs.Output! })
  })
}
