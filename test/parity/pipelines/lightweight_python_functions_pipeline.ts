import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/lightweight_python_functions_pipeline.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const train = components['train']!
  const preprocess = components['preprocess']!
  return pipeline({
    name: 'my-test-pipeline-beta',
    inputs: { input_dict: param.struct({ default: { A: 1, B: 2 } }), message: param.string() },
  }, (dag, p) => {
    const preprocessTask = dag.task(preprocess, {
      input_dict_parameter: p.input_dict,
      input_list_parameter: ['a', 'b', 'c'],
      message: p.message,
    })
    dag.task(train, {
      dataset_one_path: preprocessTask.outputs.output_dataset_one!,
      dataset_two: preprocessTask.outputs.output_dataset_two_path!,
      input_bool: preprocessTask.outputs.output_bool_parameter_path!,
      input_dict: preprocessTask.outputs.output_dict_parameter_path!,
      input_list: preprocessTask.outputs.output_list_parameter_path!,
      message: preprocessTask.outputs.output_parameter_path!,
    })
  })
}
