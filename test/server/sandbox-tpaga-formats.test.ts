import { describe, expect, it } from 'vitest';
import { formatDecimal, formatTimestamp, parseExpiresAt } from '../../server/sandbox/tpaga/format.js';
import { JsonSyntaxError, KeyOrder, parseJson, stringifyJson } from '../../server/sandbox/tpaga/json.js';
import { decodePaymentLink, encodePaymentLink } from '../../server/sandbox/tpaga/payment-link.js';
import { nestFormFields } from '../../server/sandbox/tpaga/request-body.js';

// TPAGA.md §4.1 / §5: the recorded token and link of a merchant whose slug is `tienda-demo`.
const vectorToken = 'pr-4c1a1299e041112a4c2b57dbde1de2920fe4aabdae0c850b44cd576a54aacb8174439470';
const vectorUrl =
  'https://w.tpaga.co/eyJtIjp7Im8iOiJQUiJ9LCJkIjp7InMiOiJ0aWVuZGEtZGVtbyIsInBydCI6InByLTRjMWExMjk5ZTA0MTExMmE0YzJiNTdkYmRlMWRlMjkyMGZlNGFhYmRhZTBjODUwYjQ0Y2Q1NzZhNTRhYWNiODE3NDQzOTQ3MCJ9fQ==';

describe('Tpaga payment links', () => {
  it('encodes the TPAGA.md §5 test vector byte for byte', () => {
    expect(`https://w.tpaga.co/${encodePaymentLink('tienda-demo', vectorToken)}`).toBe(vectorUrl);
  });

  it('encodes compact JSON with keys m, d, s, prt and = padding', () => {
    const encoded = encodePaymentLink('tienda-demo', vectorToken);
    const json = Buffer.from(encoded, 'base64').toString('utf8');
    expect(json).toBe(`{"m":{"o":"PR"},"d":{"s":"tienda-demo","prt":"${vectorToken}"}}`);
    expect(json).toHaveLength(124);
    expect(encoded).toMatch(/^[A-Za-z0-9]+==$/);
  });

  it('decodes a link back to its slug and token', () => {
    expect(decodePaymentLink(encodePaymentLink('pasarela', vectorToken))).toEqual({
      slug: 'pasarela',
      token: vectorToken,
    });
  });

  it('refuses malformed links and links to anything but a payment request', () => {
    const other = btoa('{"m":{"o":"MA"},"d":{"s":"pasarela","prt":"pr-1"}}');
    for (const link of ['%%%', 'bm90IGpzb24=', btoa('null'), btoa('{"m":{"o":"PR"}}'), other]) {
      expect(decodePaymentLink(link)).toBeUndefined();
    }
  });
});

describe('Tpaga formats', () => {
  it('writes costs in BigDecimal plain notation', () => {
    expect(formatDecimal('12000')).toBe('12000.0');
    expect(formatDecimal('1200.50')).toBe('1200.5');
    expect(formatDecimal('1e3')).toBe('1000.0');
    expect(formatDecimal('1.5E-3')).toBe('0.0015');
    expect(formatDecimal(' 0012 ')).toBe('12.0');
    expect(formatDecimal('-0')).toBe('0.0');
    expect(formatDecimal('-7.25')).toBe('-7.25');
  });

  it('refuses costs that are not numbers', () => {
    for (const text of ['', '.', 'abc', '12,000', '1e', '0x10', '1e99999']) {
      expect(formatDecimal(text)).toBeUndefined();
    }
  });

  it('writes instants in Bogotá time with milliseconds', () => {
    expect(formatTimestamp(Date.parse('2025-11-22T15:30:00.000Z'))).toBe('2025-11-22T10:30:00.000-05:00');
    expect(formatTimestamp(Date.parse('2025-01-01T02:00:00.123Z') + 0.9)).toBe(
      '2024-12-31T21:00:00.123-05:00',
    );
  });

  it('reads expires_at with any offset, truncating sub-milliseconds', () => {
    const read = (text: string) => {
      const ms = parseExpiresAt(text);
      return ms === undefined ? undefined : formatTimestamp(ms);
    };
    expect(read('2019-05-30T20:10:57.549653+00:00')).toBe('2019-05-30T15:10:57.549-05:00');
    expect(read('2025-11-22T15:30:00Z')).toBe('2025-11-22T10:30:00.000-05:00');
    expect(read('2025-11-22T12:30:00+0200')).toBe('2025-11-22T05:30:00.000-05:00');
    expect(read('2025-11-22')).toBe('2025-11-22T00:00:00.000-05:00');
    expect(read('2025-11-22T10:30')).toBe('2025-11-22T10:30:00.000-05:00');
    expect(read('2025-11-22 10:30:00')).toBe('2025-11-22T10:30:00.000-05:00');
  });

  it('refuses expires_at values that are not calendar dates', () => {
    for (const text of [
      'mañana',
      '2025-02-30',
      '2025-13-01',
      '2025-11-22T24:00:00Z',
      '2025-11-22T10:00+25:00',
    ]) {
      expect(parseExpiresAt(text)).toBeUndefined();
    }
  });
});

describe('Tpaga JSON handling', () => {
  it('echoes objects in input order, with integer-like keys and number literals kept', () => {
    const text = '[{"value":"12000","name":"Café","10":1.0,"b":{"zz":1e3,"a":null}}]';
    expect(stringifyJson(parseJson(text))).toBe(text);
  });

  it('writes objects in jsonb order: shorter keys first, then bytewise', () => {
    const value = parseJson('{"value":"1","name":"x","10":true,"b":[{"zz":1,"aa":2}],"é":0}');
    expect(stringifyJson(value, KeyOrder.jsonb)).toBe(
      '{"b":[{"aa":2,"zz":1}],"10":true,"é":0,"name":"x","value":"1"}',
    );
  });

  it('keeps the first place and the last value of a repeated key', () => {
    expect(stringifyJson(parseJson('{"a":1,"b":2,"a":3}'))).toBe('{"a":3,"b":2}');
  });

  it('refuses what JSON.parse refuses, and nesting deeper than 100', () => {
    for (const text of ['{', '{"a":1,}', "{'a':1}", '"\u0001"', '01', '[1] x', '"\\x"', 'NaN']) {
      expect(() => parseJson(text), text).toThrow(JsonSyntaxError);
    }
    expect(() => parseJson(`${'['.repeat(101)}${']'.repeat(101)}`)).toThrow(JsonSyntaxError);
    expect(stringifyJson(parseJson(`${'['.repeat(100)}${']'.repeat(100)}`))).toHaveLength(200);
  });

  it('nests form fields the way Rack does', () => {
    const params = nestFormFields([
      ['cost', '12000'],
      ['purchase_items[][name]', 'Café'],
      ['purchase_items[][value]', '12000'],
      ['purchase_items[][name]', 'Té'],
      ['tags[]', 'a'],
      ['tags[]', 'b'],
      ['meta[a][b]', 'c'],
    ]);
    expect(stringifyJson(params)).toBe(
      '{"cost":"12000","purchase_items":[{"name":"Café","value":"12000"},{"name":"Té"}],"tags":["a","b"],"meta":{"a":{"b":"c"}}}',
    );
  });
});
