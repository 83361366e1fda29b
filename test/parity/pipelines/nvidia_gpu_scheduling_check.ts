import { component, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'current/valid/gpu-scheduling/nvidia_gpu_scheduling_check.yaml'

const verifyGpuScheduled = component({
  name: 'verify-gpu-scheduled',
  image: 'python:3.11',
  command: ['sh', '-c'],
  args: ['echo "GPU scheduling check: PASS"'],
})

export function build(): PipelineNode {
  return pipeline({
    name: 'nvidia-gpu-scheduling-check',
    description: 'Verifies a task requesting nvidia.com/gpu with a matching toleration can schedule and complete (no CUDA/torch assertions).',
    caching: false,
  }, (dag) => {
    dag.task(verifyGpuScheduled, {}, {
      resources: { accelerator: { type: 'nvidia.com/gpu', count: 1 } },
      kubernetes: { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] },
    })
  })
}
