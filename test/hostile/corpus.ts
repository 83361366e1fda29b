/**
 * The hostile-string corpus: text a pipeline author (or whoever feeds a pipeline its defaults,
 * descriptions and constants) could put anywhere a string goes. Each entry says what it attacks:
 * Argo's `{{…}}` templating, KFP's `{{$…}}` placeholders, the kubelet's `$(VAR)` expansion, a
 * shell, the YAML writer (indicators, line breaks, YAML 1.1 scalars), Unicode handling, sizes.
 *
 * Values are built from escapes so that this file itself stays plain ASCII and the exact code
 * points are visible.
 */

/** One hostile string. */
export interface HostileString {
  /** Stable id, used in test names. */
  readonly id: string
  readonly value: string
  /** What it attacks. */
  readonly why: string
}

const long = (unit: string, length: number): string => unit.repeat(Math.ceil(length / unit.length)).slice(0, length)

/** Every hostile string, in a fixed order. */
export const CORPUS: readonly HostileString[] = [
  // Argo templating (fasttemplate `{{…}}` tags, expr-lang `{{=…}}` tags).
  { id: 'argo-global-tag', value: '{{workflow.name}}', why: 'an Argo global variable: would be replaced by the workflow name' },
  { id: 'argo-input-tag', value: '{{inputs.parameters.v}}', why: "an Argo input reference: would read another parameter's value" },
  { id: 'argo-expression', value: "{{=sprig.trim(' x ')}}", why: 'an Argo expression tag: arbitrary expr-lang evaluation' },
  { id: 'argo-ternary', value: "{{=1 > 0 ? 'a' : 'b'}}", why: 'Argo splits expression tags holding ? and : as a ternary' },
  { id: 'argo-secret-like', value: '${{ secrets.TOKEN }}', why: 'GitHub-Actions-style template that contains an Argo tag' },
  { id: 'open-braces', value: '{{', why: 'an unclosed tag: Argo fails the whole workflow on it' },
  { id: 'close-braces', value: '}}', why: 'could close one of our own tags early' },
  { id: 'triple-braces', value: '{{{x}}}', why: 'brace runs: a lone `{` next to a tag' },
  { id: 'trailing-brace', value: 'ends with {', why: 'a `{` that may meet a `{` of the next piece' },
  { id: 'json-object', value: '{"a":{"b":[1,{"c":2}]}}', why: 'JSON with nested braces, `}}` included' },
  // KFP placeholders (the launcher replaces them in command lines; the driver in constants).
  { id: 'kfp-executor-input', value: '{{$}}', why: 'KFP replaces it with the whole executor input JSON' },
  { id: 'kfp-input-placeholder', value: "{{$.inputs.parameters['v']}}", why: "KFP replaces it with input v's value" },
  { id: 'kfp-channel', value: "{{$.inputs.parameters['pipelinechannel--pin']}}", why: 'the placeholder of a pipeline parameter channel' },
  { id: 'kfp-runtime', value: '{{$.pipeline_job_name}}', why: 'a KFP run-time placeholder the driver resolves in constants' },
  // The kubelet's dependent-variable expansion (command, args and env values).
  { id: 'kube-var', value: '$(HOME)', why: 'the kubelet expands $(VAR) in command, args and env' },
  { id: 'kube-escapes', value: '$$(HOME) $$ $', why: 'the kubelet turns $$ into $' },
  { id: 'kube-unclosed', value: 'a$(b', why: 'an unclosed reference that a later `)` could close' },
  // Shells.
  { id: 'shell-substitution', value: '$(rm -rf /)', why: 'command substitution if a shell ever sees it' },
  { id: 'shell-backticks', value: '`id`; echo pwned', why: 'backticks and a command separator' },
  { id: 'shell-quote-breakout', value: "'; touch /tmp/pwned; echo '", why: 'closes a single-quoted shell word' },
  { id: 'shell-double-quotes', value: 'say "hi" \\"there\\" "$0"', why: 'double quotes, escaped quotes, $0' },
  { id: 'shell-glob-redirect', value: '* > /etc/passwd < /dev/null | tee', why: 'globs, redirections and pipes' },
  // Quotes, backslashes and whitespace.
  { id: 'single-quotes', value: "it's 'quoted' ''", why: 'YAML single-quote escaping doubles them' },
  { id: 'backslashes', value: 'C:\\temp\\new\\x41\\u0041\\', why: 'backslash escapes in double-quoted YAML and JSON' },
  { id: 'newline', value: 'line1\nline2: injected\n- item', why: 'a line break followed by YAML structure' },
  { id: 'crlf', value: 'a\r\nb\rc', why: 'CR and CRLF line breaks' },
  { id: 'trailing-newlines', value: 'value\n\n', why: 'trailing line breaks (block scalars chomp them)' },
  { id: 'edge-spaces', value: '  padded  ', why: 'leading and trailing spaces are lost in plain scalars' },
  { id: 'tabs', value: '\ta\tb\t', why: 'tabs' },
  { id: 'empty', value: '', why: 'the empty string' },
  // YAML indicators and special scalars.
  { id: 'yaml-mapping', value: 'key: value', why: '`: ` starts a mapping' },
  { id: 'yaml-sequence', value: '- item', why: '`- ` starts a sequence' },
  { id: 'yaml-comment', value: '# not a comment', why: '`#` starts a comment' },
  { id: 'yaml-inline-comment', value: 'a #b', why: '` #` starts a comment after a value' },
  { id: 'yaml-anchor', value: '&anchor value', why: '`&` defines an anchor' },
  { id: 'yaml-alias', value: '*alias', why: '`*` is an alias' },
  { id: 'yaml-tag', value: '!!python/object/apply:os.system ["id"]', why: '`!` is a tag (unsafe loaders execute this one)' },
  { id: 'yaml-document', value: '---\nkind: Secret\n...', why: 'document markers: a second document' },
  { id: 'yaml-flow', value: '{a: 1, b: [2, 3]}', why: 'a flow mapping' },
  { id: 'yaml-block-scalar', value: '|\n  injected', why: 'a block scalar indicator' },
  { id: 'yaml-directive', value: '%YAML 1.1', why: 'a directive' },
  { id: 'yaml-merge-key', value: '<<', why: 'the YAML 1.1 merge key' },
  { id: 'yaml11-bool', value: 'yes', why: 'a boolean in YAML 1.1 (PyYAML, go-yaml)' },
  { id: 'yaml11-short-bool', value: 'y', why: 'a boolean for go-yaml (kubectl, Argo) only' },
  { id: 'yaml-null', value: '~', why: 'null' },
  { id: 'yaml-octal', value: '0o17', why: 'an integer in YAML 1.2, a string in PyYAML' },
  { id: 'yaml-float', value: '1e3', why: 'a float for go-yaml, a string for PyYAML' },
  { id: 'yaml-sexagesimal', value: '1:30', why: 'a base-60 integer in YAML 1.1' },
  // Unicode.
  { id: 'unicode-text', value: 'Modell \u00fcber \u6a21\u578b \ud83d\ude80 caf\u0065\u0301', why: 'non-ASCII letters, astral plane, combining mark' },
  { id: 'unicode-line-breaks', value: 'a\u0085b\u2028c\u2029d', why: 'NEL, LS and PS break lines in YAML 1.1' },
  { id: 'unicode-bidi', value: 'abc\u202edcba\u202c', why: 'a bidi override (Trojan Source)' },
  { id: 'unicode-invisible', value: '\ufeffbom\u200bzero\u00a0nbsp', why: 'BOM, zero-width space, no-break space' },
  { id: 'control-chars', value: 'nul\u0000bell\u0007esc\u001b[31mdel\u007f', why: 'C0 controls (NUL included) and DEL must be escaped' },
  { id: 'private-use-token', value: '\ue000inputValue:v\ue001', why: "the DSL's own placeholder token in private-use code points" },
  { id: 'lone-surrogate', value: 'bad\ud800pair', why: 'a lone surrogate: not encodable as UTF-8' },
  // Sizes.
  { id: 'long-no-spaces', value: long('a', 100_000), why: '100 000 characters without a fold point' },
  { id: 'long-mixed', value: long('{{a}} $(b) "c" \'d\' e: f\n- ', 60_000), why: '60 000 characters mixing everything above' },
]

/** A string that is none of the above: the benign baseline every row is compared with. */
export const BENIGN = 'benign'
