/** src/core/exact-json.ts and the page checks: the pure parts of issue #17's response handling. */
import { describe, expect, it } from 'vitest';
import { UnexpectedResponseError } from '../../src/core/errors.js';
import { ExactNumber, parseJson, stringifyJson } from '../../src/core/exact-json.js';
import { customAttributeValues } from '../../src/intercom/layers/decode.js';
import { checkPage } from '../../src/intercom/pagination/envelope.js';

describe('parseJson / stringifyJson', () => {
  it('keeps numbers beyond 2^53 where asked, with every digit, and writes them back as sent', () => {
    const text =
      '{"data":[{"id":"1","custom_attributes":{"a":9007199254740993,"b":-123456789012345678901234567890,"c":123456789012345678.25,"s":"\\"9007199254740993\\\\"}}],"n":9007199254740993}';
    const v = parseJson(text, customAttributeValues) as { data: Array<{ custom_attributes: Record<string, unknown> }> };
    const ca = v.data[0]!.custom_attributes;
    expect(ca['a']).toBe(9007199254740993n);
    expect(ca['b']).toBe(-123456789012345678901234567890n);
    expect(ca['c']).toBeInstanceOf(ExactNumber);
    expect(ca['s']).toBe('"9007199254740993\\');
    expect(stringifyJson(v)).toBe(text);
    expect(() => JSON.stringify(ca['c'])).toThrow(); // nothing writes it rounded by accident
  });

  it('reads a page without big numbers with JSON.parse alone (same value)', () => {
    const text = '{"data":[{"id":"1","custom_attributes":{"a":1.5,"b":[1,2]}}],"total_count":9007199254740993}';
    expect(parseJson(text, customAttributeValues)).toEqual(JSON.parse(text));
  });

  it('writes JSON of any depth, equal to JSON.stringify where that can write it', () => {
    let deep: unknown = { leaf: 'x' };
    for (let i = 0; i < 50_000; i++) deep = i % 2 ? [deep, i] : { d: deep, u: undefined };
    const text = stringifyJson(deep)!;
    expect(text.length).toBeGreaterThan(250_000);
    expect(stringifyJson(parseJson(text))).toBe(text);
    const small = { a: [1, undefined, { b: 'é"\n', f: () => 1 }], n: null };
    expect(stringifyJson(small)).toBe(JSON.stringify(small));
  });
});

describe('checkPage', () => {
  const req = { method: 'POST' as const, path: '/contacts/search' };
  const page = (data: unknown[], total: number) => ({ type: 'list', data, total_count: total, pages: { next: null } });

  it('refuses an empty page short of its total_count, only when the records before it are known', () => {
    expect(() => checkPage(req, page([], 400), 'data', { key: ['id'], readBefore: 150 })).toThrow(UnexpectedResponseError);
    expect(() => checkPage(req, page([], 300), 'data', { key: ['id'], readBefore: 300 })).not.toThrow();
    expect(() => checkPage(req, page([], 0), 'data', { key: ['id'], readBefore: 0 })).not.toThrow();
    expect(() => checkPage(req, page([], 400), 'data', { key: ['id'], readBefore: undefined })).not.toThrow(); // a resumed chain
  });

  it('refuses records without their key (missing, null, empty)', () => {
    for (const bad of [{}, { id: null }, { id: '' }, 'x']) {
      expect(() => checkPage(req, page([{ id: '1' }, bad], 2), 'data', { key: ['id'], readBefore: 0 }), JSON.stringify(bad)).toThrow(/record 2 of 'data'/);
    }
  });
});
