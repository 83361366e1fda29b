import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/critical/pipeline_with_pod_metadata.yaml'

/** `metadata.annotations['<key>']` / `metadata.labels['<key>']` as environment variables. */
const fieldEnv = (annotations: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>) => ({
  ...Object.fromEntries(Object.entries(annotations).map(([env, key]) => [env, `metadata.annotations['${key}']`])),
  ...Object.fromEntries(Object.entries(labels).map(([env, key]) => [env, `metadata.labels['${key}']`])),
})

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'pipeline-with-pod-metadata', caching: false }, (dag) => {
    dag.task(c['validate-pod-metadata-task-a']!, {
      annotation_path: 'POD_TASK_ANNOTATION', annotation_exp_val: 'annotation',
      label_path_1: 'POD_TASK_LABEL_1', label_exp_val_1: 'label-1',
      label_path_2: 'POD_TASK_LABEL_2', label_exp_val_2: 'label-2',
    }, {
      kubernetes: {
        podLabels: { 'task-label-1': 'label-1', 'task-label-2': 'label-2' },
        podAnnotations: { 'task-annotation': 'annotation' },
        fieldPathEnv: fieldEnv({ POD_TASK_ANNOTATION: 'task-annotation' }, { POD_TASK_LABEL_1: 'task-label-1', POD_TASK_LABEL_2: 'task-label-2' }),
      },
    })
    dag.task(c['validate-pod-metadata-task-b']!, {
      annotation_path_1: 'POD_TASK_ANNOTATION_1', annotation_exp_val_1: 'annotation-1',
      annotation_path_2: 'POD_TASK_ANNOTATION_2', annotation_exp_val_2: 'annotation-2',
      annotation_path_3: 'POD_TASK_ANNOTATION_3', annotation_exp_val_3: 'annotation-3',
      annotation_path_4: 'POD_TASK_ANNOTATION_4', annotation_exp_val_4: 'annotation-4',
      label_path_1: 'POD_TASK_LABEL_1', label_exp_val_1: 'label-1',
      label_path_2: 'POD_TASK_LABEL_2', label_exp_val_2: 'label-2',
      label_path_3: 'POD_TASK_LABEL_3', label_exp_val_3: 'label-3',
    }, {
      kubernetes: {
        podLabels: { 'task-label-1': 'label-1', 'task-label-2': 'label-2', 'task-label-3': 'label-3' },
        podAnnotations: { 'task-annotation-1': 'annotation-1', 'task-annotation-2': 'annotation-2', 'task-annotation-3': 'annotation-3', 'task-annotation-4': 'annotation-4' },
        fieldPathEnv: fieldEnv(
          { POD_TASK_ANNOTATION_1: 'task-annotation-1', POD_TASK_ANNOTATION_2: 'task-annotation-2', POD_TASK_ANNOTATION_3: 'task-annotation-3', POD_TASK_ANNOTATION_4: 'task-annotation-4' },
          { POD_TASK_LABEL_1: 'task-label-1', POD_TASK_LABEL_2: 'task-label-2', POD_TASK_LABEL_3: 'task-label-3' },
        ),
      },
    })
    dag.task(c['validate-pod-metadata-task-c']!, {
      annotation_path_1: 'POD_TASK_ANNOTATION_1', annotation_exp_val_1: 'annotation-1',
      annotation_path_2: 'POD_TASK_ANNOTATION_2', annotation_exp_val_2: 'annotation-2',
    }, {
      kubernetes: {
        podAnnotations: { 'task-annotation-1': 'annotation-1', 'task-annotation-2': 'annotation-2' },
        fieldPathEnv: fieldEnv({ POD_TASK_ANNOTATION_1: 'task-annotation-1', POD_TASK_ANNOTATION_2: 'task-annotation-2' }, {}),
      },
    })
    dag.task(c['validate-pod-metadata-task-d']!, {
      label_path_1: 'POD_TASK_LABEL_1', label_exp_val_1: 'label-1',
      label_path_2: 'POD_TASK_LABEL_2', label_exp_val_2: 'label-2',
      label_path_3: 'POD_TASK_LABEL_3', label_exp_val_3: 'label-3',
    }, {
      kubernetes: {
        podLabels: { 'task-label-1': 'label-1', 'task-label-2': 'label-2', 'task-label-3': 'label-3' },
        fieldPathEnv: fieldEnv({}, { POD_TASK_LABEL_1: 'task-label-1', POD_TASK_LABEL_2: 'task-label-2', POD_TASK_LABEL_3: 'task-label-3' }),
      },
    })
    // Reads what the other tasks set: its pod has none of it.
    dag.task(c['validate-no-pod-metadata']!, {}, {
      kubernetes: {
        fieldPathEnv: fieldEnv(
          { POD_TASK_ANNOTATION: 'task-annotation', POD_TASK_ANNOTATION_1: 'task-annotation-1' },
          { POD_TASK_LABEL: 'task-label', POD_TASK_LABEL_1: 'task-label-1' },
        ),
      },
    })
  })
}
