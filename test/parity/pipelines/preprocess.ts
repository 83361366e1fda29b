import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/components/preprocess.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const preprocess = components['preprocess']!
  return pipeline({
    name: 'preprocess',
    inputs: {
      input_dict_parameter: param.struct(),
      input_list_parameter: param.list(),
      message: param.string(),
    },
  }, (dag, p) => {
    const preprocessTask = dag.task(preprocess, {
      input_dict_parameter: p.input_dict_parameter,
      input_list_parameter: p.input_list_parameter,
      message: p.message,
    })
    return {
      output_bool_parameter_path: preprocessTask.outputs.output_bool_parameter_path!,
      output_dataset_one: preprocessTask.outputs.output_dataset_one!,
      output_dataset_two_path: preprocessTask.outputs.output_dataset_two_path!,
      output_dict_parameter_path: preprocessTask.outputs.output_dict_parameter_path!,
      output_list_parameter_path: preprocessTask.outputs.output_list_parameter_path!,
      output_parameter_path: preprocessTask.outputs.output_parameter_path!,
    }
  })
}
