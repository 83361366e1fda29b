/**
 * The Argo Workflows target: a Workflow by default, or a WorkflowTemplate or CronWorkflow, with
 * the run-level settings Argo offers.
 */
import { component, param, pipeline } from '@typeflow/dsl'
import { build, type CompileOptions } from '@typeflow/compiler'

export const refresh = component({
  name: 'refresh',
  image: 'ghcr.io/acme/refresh:1.0',
  inputs: { day: param.string({ default: 'yesterday' }) },
  command: ({ inputs }) => ['refresh', '--day', inputs.day.value],
})

export const dailyRefresh = pipeline({ name: 'daily-refresh', inputs: { day: param.string({ default: 'yesterday' }) } }, (dag, p) => {
  dag.task(refresh, { day: p.day })
})

type ArgoOptions = NonNullable<CompileOptions['argo']>

/** A CronWorkflow: every day at 02:00 Berlin time, never two runs at once. */
export const nightly: ArgoOptions = {
  kind: 'CronWorkflow',
  schedules: ['0 2 * * *'],
  timezone: 'Europe/Berlin',
  concurrencyPolicy: 'Forbid',
  namespace: 'ml-pipelines',
  serviceAccountName: 'pipeline-runner',
  // Delete pods as they succeed (the default) and the run itself a day after it finishes.
  podGC: { strategy: 'OnPodSuccess', deleteDelayDuration: '30s' },
  ttlStrategy: { secondsAfterCompletion: 86400 },
  activeDeadlineSeconds: 4 * 3600,
  parallelism: 10,
  imagePullSecrets: ['ghcr-pull'],
  securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000 },
  artifactRepositoryRef: { configMap: 'artifact-repositories', key: 'gcs' },
  // Argo memoization of cacheable tasks, in this ConfigMap, for a week.
  memoize: { configMap: 'daily-refresh-cache', maxAge: '168h' },
}

/** A WorkflowTemplate to submit by hand or from other workflows; keep finished pods and runs. */
export const template: ArgoOptions = { kind: 'WorkflowTemplate', namespace: 'ml-pipelines', podGC: null, ttlStrategy: null }

/** What the docs test compiles: each variant, to both targets. */
export const compileOptions: readonly CompileOptions[] = [{ argo: nightly }, { argo: template }, {}]

export default dailyRefresh
// `tsx argo.ts` writes dist/daily-refresh.kfp.yaml and the CronWorkflow dist/daily-refresh.argo.yaml.
build(import.meta, dailyRefresh, { argo: nightly })
