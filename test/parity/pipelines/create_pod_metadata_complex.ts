import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/create_pod_metadata_complex.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'pipeline-with-pod-metadata', caching: false }, (dag) => {
    dag.task(c['validate-pod-metadata']!, {
      annotation_path_1: 'POD_TASK_ANNOTATION',
      annotation_exp_val_1: 'annotation',
      label_path_1: 'POD_TASK_LABEL_1',
      label_exp_val_1: 'label-1',
      label_path_2: 'POD_TASK_LABEL_2',
      label_exp_val_2: 'label-2',
    }, {
      kubernetes: {
        podLabels: { 'task-label-1': 'label-1', 'task-label-2': 'label-2' },
        podAnnotations: { 'task-annotation': 'annotation' },
        fieldPathEnv: {
          POD_TASK_ANNOTATION: "metadata.annotations['task-annotation']",
          POD_TASK_LABEL_1: "metadata.labels['task-label-1']",
          POD_TASK_LABEL_2: "metadata.labels['task-label-2']",
        },
      },
    })
    dag.task(c['validate-pod-metadata-2']!, {
      annotation_path_1: 'POD_TASK_ANNOTATION_1',
      annotation_exp_val_1: 'annotation-1',
      annotation_path_2: 'POD_TASK_ANNOTATION_2',
      annotation_exp_val_2: 'annotation-2',
    }, {
      kubernetes: {
        podAnnotations: { 'task-annotation-1': 'annotation-1', 'task-annotation-2': 'annotation-2' },
        fieldPathEnv: {
          POD_TASK_ANNOTATION_1: "metadata.annotations['task-annotation-1']",
          POD_TASK_ANNOTATION_2: "metadata.annotations['task-annotation-2']",
        },
      },
    })
    dag.task(c['validate-no-pod-metadata']!, { annotation_path: 'POD_TASK_ANNOTATION', label_path: 'POD_TASK_LABEL' })
  })
}
