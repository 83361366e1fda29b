import { describe, expect, it } from 'vitest'
import { CelError, checkCel, evaluateCel, evaluateCondition, selectParameter } from '../../packages/runtime/src/runner/index.ts'

const values = { 'pipelinechannel--n': 5, 'pipelinechannel--m': 'a', 'pipelinechannel--s': "it's", 'pipelinechannel--x': 2.5, 'pipelinechannel--b': true, 'pipelinechannel--t': '7' }

describe('CEL conditions', () => {
  it.each([
    ["int(inputs.parameter_values['pipelinechannel--n']) > 3", true],
    ["int(inputs.parameter_values['pipelinechannel--n']) > 3 && !(inputs.parameter_values['pipelinechannel--m'] == 'a')", false],
    ["int(inputs.parameter_values['pipelinechannel--n']) > 30 || !(inputs.parameter_values['pipelinechannel--m'] == 'b')", true],
    ["!(int(inputs.parameter_values['pipelinechannel--n']) > 10) && int(inputs.parameter_values['pipelinechannel--n']) > 4", true],
    ["inputs.parameter_values['pipelinechannel--s'] == 'it\\'s'", true],
    ["double(inputs.parameter_values['pipelinechannel--n']) <= inputs.parameter_values['pipelinechannel--x']", false],
    ["inputs.parameter_values['pipelinechannel--x'] >= 2.5", true],
    ["inputs.parameter_values['pipelinechannel--b'] == true", true],
    ["inputs.parameter_values['pipelinechannel--b'] != false && (1 < 2 || 3 < 2)", true],
    ["int(inputs.parameter_values['pipelinechannel--t']) == 7", true],
    ["inputs.parameter_values['pipelinechannel--m'] < 'b'", true],
    ['', true],
  ] as const)('%s → %s', (condition, expected) => {
    expect(evaluateCondition(condition, values)).toBe(expected)
  })

  it('short-circuits && and || like CEL (false / true wins over an error)', () => {
    expect(evaluateCondition("false && inputs.parameter_values['missing'] == 1", values)).toBe(false)
    expect(evaluateCondition("inputs.parameter_values['missing'] == 1 || true", values)).toBe(true)
  })

  it('reports syntax, name and type errors with the expression', () => {
    expect(() => checkCel('1 +')).toThrow(CelError)
    expect(() => checkCel("inputs.parameter_values['x'")).toThrow("expected ']' at position 27 of CEL expression \"inputs.parameter_values['x'\"")
    expect(() => evaluateCondition("inputs.parameter_values['nope'] == 1", values)).toThrow('no such key: "nope"')
    expect(() => evaluateCondition("inputs.parameter_values['pipelinechannel--m'] > 3", values)).toThrow('cannot compare string > number')
    expect(() => evaluateCondition("int(inputs.parameter_values['pipelinechannel--m']) > 3", values)).toThrow('int() cannot convert string "a"')
    expect(() => evaluateCondition('1 + 2', values)).toThrow('a condition must give a bool, got number')
    expect(() => evaluateCel('eval(1)', {})).toThrow('unknown function eval()')
    // CEL's quoted strings hold no line break (cel-go rejects one): it is written as an escape.
    expect(() => checkCel("inputs.parameter_values['m'] == 'a\nb'")).toThrow('line break in a quoted string')
    expect(evaluateCel("'a\\nb\\r'", {})).toBe('a\nb\r')
    // Every escape CEL defines: \x / \X, \u, \U (a code point beyond the BMP) and octal.
    expect(evaluateCel("'\\x41\\X42\\u00e9\\U0001F600\\101\\a\\?\\`'", {})).toBe('AB\u00e9\u{1F600}A\x07?`')
  })

  it('evaluates arithmetic, lists, membership and the ternary operator', () => {
    expect(evaluateCel('1 + 2 * 3 - -1', {})).toBe(8)
    expect(evaluateCel("'a' in ['a', 'b'] ? size('abc') : 0", {})).toBe(3)
    expect(evaluateCel('x[1].y', { x: [{ y: 1 }, { y: 2 }] })).toBe(2)
  })
})

describe('parameter expression selectors', () => {
  it('reads fields of struct loop items, given as objects or JSON strings', () => {
    expect(selectParameter('parseJson(string_value)["a"]', { a: 1, b: 2 })).toBe(1)
    expect(selectParameter('parseJson(string_value)["a"]["b"]', '{"a": {"b": "x"}}')).toBe('x')
    expect(selectParameter('struct_value["b"]', { a: 1, b: 2 })).toBe(2)
  })
})
