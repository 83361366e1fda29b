import { component, pipeline } from '@typeflow/dsl'
import { build, compile, writeFilesAtomically } from '@typeflow/compiler'

export const hello = component({ name: 'hello', image: 'alpine:3.20', command: ['echo', 'hello'] })
export const helloPipeline = pipeline({ name: 'hello-pipeline' }, (dag) => {
  dag.task(hello)
})
export default helloPipeline

// `tsx compile.ts` writes dist/hello-pipeline.kfp.yaml and dist/hello-pipeline.argo.yaml;
// importing this file (tests, the typeflow CLI) writes nothing.
build(import.meta, helloPipeline)

/** Or by hand: compile() returns the files (or every diagnostic) and writes nothing itself. */
export function compileTo(dir: string): readonly string[] {
  const result = compile(helloPipeline, { targets: ['kfp'] })
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'))
  return writeFilesAtomically(dir, result.files)
}
