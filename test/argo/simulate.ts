/**
 * A small model of what happens to a container template between the YAML and the process:
 * Argo's template substitution (fasttemplate `{{`…`}}` tags over the JSON text, unresolved tags kept,
 * applied several times like the controller does) and the kubelet's `$(VAR)` expansion of
 * `command`, `args` and `env`. Used to check that user text reaches the container exactly.
 */

/** One Argo substitution pass over JSON text (util/template: simple tags and `=` expressions). */
export function argoPass(json: string, vars: ReadonlyMap<string, string>): string {
  let out = ''
  let i = 0
  for (;;) {
    const start = json.indexOf('{{', i)
    if (start < 0) return out + json.slice(i)
    const end = json.indexOf('}}', start + 2)
    // fasttemplate refuses a template with an unclosed tag: Argo fails the workflow.
    if (end < 0) throw new Error(`unclosed {{ in ${JSON.stringify(json.slice(start, start + 60))}`)
    out += json.slice(i, start)
    const tag = json.slice(start + 2, end)
    out += replaceTag(tag, vars) ?? `{{${tag}}}`
    i = end + 2
  }
}

/** The replacement JSON text of a tag, or undefined when Argo would leave it unresolved. */
function replaceTag(tag: string, vars: ReadonlyMap<string, string>): string | undefined {
  if (tag.startsWith('=')) {
    // The only expression the target writes into command lines.
    const m = /^=toJson\(inputs\.parameters\['([-\w]+)'\]\)$/.exec(tag)
    if (!m) return undefined
    const value = vars.get(`inputs.parameters.${m[1]!}`)
    return value === undefined ? undefined : JSON.stringify(JSON.stringify(value)).slice(1, -1)
  }
  const value = vars.get(tag.trim())
  return value === undefined ? undefined : JSON.stringify(value).slice(1, -1)
}

/** Substitutes a template (as JSON) `passes` times with the same variables. */
export function argoSubstitute<T>(value: T, vars: ReadonlyMap<string, string>, passes: number): T {
  let json = JSON.stringify(value)
  for (let p = 0; p < passes; p++) json = argoPass(json, vars)
  return JSON.parse(json) as T
}

/** The kubelet's `expansion.Expand` (k8s.io/kubernetes third_party/forked/golang/expansion). */
export function kubeletExpand(input: string, env: ReadonlyMap<string, string>): string {
  let buf = ''
  let checkpoint = 0
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue
    buf += input.slice(checkpoint, cursor)
    const rest = input.slice(cursor + 1)
    let advance = 1
    if (rest[0] === '$') buf += '$'
    else if (rest[0] === '(') {
      const close = rest.indexOf(')', 1)
      if (close < 0) buf += '$('
      else {
        const name = rest.slice(1, close)
        buf += env.get(name) ?? `$(${name})`
        advance = close + 1
      }
    } else buf += `$${rest[0]!}`
    cursor += advance
    checkpoint = cursor + 1
  }
  return buf + input.slice(checkpoint)
}

/** Env of a container as the kubelet builds it: each value expanded against the ones before it. */
export function containerEnv(env: readonly { name: string; value: string }[]): Map<string, string> {
  const out = new Map<string, string>()
  for (const e of env) out.set(e.name, kubeletExpand(e.value, out))
  return out
}
