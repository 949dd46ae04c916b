import { describe, it, expect } from '@jest/globals'
import { conjuncts, evalExpr, formatExpr, parseExpr, type EvalContext, type SymbolType } from '../src/kconfig/expr.js'
import { expandMacros, tokenize, type MacroScope } from '../src/kconfig/tokenize.js'

const parse = (text: string) => parseExpr(tokenize(text))

function context(values: Record<string, string>, types: Record<string, SymbolType> = {}): EvalContext {
  return {
    value: (name) => values[name],
    typeOf: (name) => types[name],
    modules: values['MODULES'] === 'y',
  }
}

describe('Kconfig expressions', () => {
  it('evaluates && as min, || as max and ! as 2-x in tristate logic', () => {
    const ctx = context({ MODULES: 'y', A: 'y', B: 'm' })
    expect(evalExpr(parse('A && B'), ctx)).toBe(1)
    expect(evalExpr(parse('A || B'), ctx)).toBe(2)
    expect(evalExpr(parse('!B'), ctx)).toBe(1)
    expect(evalExpr(parse('!C'), ctx)).toBe(2)
    expect(evalExpr(parse('(A || C) && !(B && C)'), ctx)).toBe(2)
  })

  it('counts an absent symbol as n and m as y when MODULES is off', () => {
    expect(evalExpr(parse('ABSENT'), context({}))).toBe(0)
    expect(evalExpr(parse('B'), context({ B: 'm' }))).toBe(2)
    expect(evalExpr(parse('m'), context({}))).toBe(0)
    expect(evalExpr(parse('m'), context({ MODULES: 'y' }))).toBe(1)
  })

  it('compares ints numerically, hex as hex, and strings as text', () => {
    const ctx = context({ HZ: '250', BASE: '0x1000', NAME: 'eth' }, { HZ: 'int', BASE: 'hex', NAME: 'string' })
    expect(evalExpr(parse('HZ >= 100'), ctx)).toBe(2)
    expect([evalExpr(parse('HZ <= 250'), ctx), evalExpr(parse('HZ < 250'), ctx), evalExpr(parse('HZ >= 251'), ctx)]).toEqual([2, 0, 0])
    expect(evalExpr(parse('HZ < 1000 && HZ != 250'), ctx)).toBe(0)
    expect(evalExpr(parse('BASE > 0xfff'), ctx)).toBe(2)
    expect(evalExpr(parse('NAME = "eth"'), ctx)).toBe(2)
    expect(evalExpr(parse('"x86_64" = "x86"'), ctx)).toBe(0)
  })

  it('reads a constant with a leading 0 as octal (strtoll base 0), but an int symbol always as decimal', () => {
    const ctx = context({ COUNT: '010' }, { COUNT: 'int' })
    expect(evalExpr(parse('010 = 8'), ctx)).toBe(2)
    expect(evalExpr(parse('010 = 10'), ctx)).toBe(0)
    expect(evalExpr(parse('COUNT = 10'), ctx)).toBe(2)
    expect(evalExpr(parse('COUNT > 9'), ctx)).toBe(2)
  })

  it('compares a tristate symbol with the constants y, m and n', () => {
    const ctx = context({ MODULES: 'y', PCI: 'y', FB: 'm' }, { PCI: 'bool', FB: 'tristate' })
    expect(evalExpr(parse('PCI = y'), ctx)).toBe(2)
    expect(evalExpr(parse('FB != n'), ctx)).toBe(2)
    expect(evalExpr(parse('FB = y'), ctx)).toBe(0)
  })

  it('binds comparisons tighter than ! and && tighter than ||', () => {
    expect(formatExpr(parse('!A = B'))).toBe('!(A = B)')
    expect(formatExpr(parse('A || B && C'))).toBe('A || B && C')
    expect(formatExpr(parse('(A || B) && C'))).toBe('(A || B) && C')
    expect(conjuncts(parse('X86_64 && (A || B) && !C')).map(formatExpr)).toEqual(['X86_64', 'A || B', '!C'])
  })

  it('keeps toolchain macros as unknown terms that count as met', () => {
    const expr = parse('$(cc-option,-mfoo) && A')
    expect(formatExpr(expr)).toBe('$(cc-option,-mfoo) && A')
    expect(evalExpr(expr, context({ A: 'y' }))).toBe(2)
  })

  it('expands known variables and leaves calls and unknown variables as written', () => {
    const scope: MacroScope = new Map([
      ['SRCARCH', { value: 'x86', recursive: false }],
      ['dir', { value: 'arch/$(SRCARCH)', recursive: true }],
    ])
    expect(expandMacros('source "$(dir)/Kconfig"', scope)).toBe('source "arch/x86/Kconfig"')
    expect(expandMacros('def_bool $(success,$(CC) -v)', scope)).toBe('def_bool $(success,$(CC) -v)')
    expect(expandMacros('default "$(CC_VERSION_TEXT)"', scope)).toBe('default "$(CC_VERSION_TEXT)"')
  })

  it('rejects an expression with an unbalanced parenthesis', () => {
    expect(() => parse('(A && B')).toThrow('missing )')
  })
})
