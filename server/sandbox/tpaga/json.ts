// Tpaga echoes `purchase_items` and `rejected_value` as the merchant sent them, and later reads
// come back from a PostgreSQL jsonb column. A JS object can reproduce neither (integer-like keys
// always enumerate first, `1.0` becomes `1`), so request bodies are parsed into this tree, which
// keeps key order and number literals.

/** A JSON number as written (`1.0`, `12000`, `1e3`). */
export interface JsonNumber {
  kind: 'number';
  text: string;
}

/** A JSON object with its keys in input order (a repeated key keeps its first place, last value). */
export interface JsonObject {
  kind: 'object';
  entries: Array<[string, JsonValue]>;
}

export type JsonValue = null | boolean | string | JsonNumber | JsonObject | JsonValue[];

/** How objects are written back: as received, or in jsonb order (shorter keys first, then bytewise). */
export const KeyOrder = { input: 'input', jsonb: 'jsonb' } as const;
export type KeyOrder = (typeof KeyOrder)[keyof typeof KeyOrder];

export class JsonSyntaxError extends Error {}

// Ruby's JSON parser refuses deeper documents by default (max_nesting 100).
const maxDepth = 100;
const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// Escapes and raw control characters are checked by JSON.parse on the matched text.
const stringPattern = /"(?:[^"\\]|\\.)*"/y;
const whitespace = /[ \t\n\r]*/y;

/** Parses strict JSON (RFC 8259) into a {@link JsonValue}; throws {@link JsonSyntaxError}. */
export function parseJson(text: string): JsonValue {
  let at = 0;

  function fail(): never {
    throw new JsonSyntaxError(`invalid JSON at offset ${at}`);
  }
  function skip() {
    whitespace.lastIndex = at;
    whitespace.exec(text);
    at = whitespace.lastIndex;
  }
  function match(pattern: RegExp): RegExpExecArray {
    pattern.lastIndex = at;
    const found = pattern.exec(text) ?? fail();
    at = pattern.lastIndex;
    return found;
  }
  function string(): string {
    const literal = match(stringPattern)[0];
    try {
      return JSON.parse(literal) as string;
    } catch {
      return fail();
    }
  }
  function value(depth: number): JsonValue {
    skip();
    const char = text[at];
    // `depth` counts the enclosing arrays and objects; this one would be one level deeper.
    if ((char === '{' || char === '[') && depth >= maxDepth) fail();
    if (char === '{') return object(depth);
    if (char === '[') return array(depth);
    if (char === '"') return string();
    for (const [word, literal] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return literal;
      }
    }
    return { kind: 'number', text: match(numberPattern)[0] };
  }
  function object(depth: number): JsonObject {
    const entries = new Map<string, JsonValue>();
    at++;
    skip();
    if (text[at] === '}') {
      at++;
      return { kind: 'object', entries: [] };
    }
    for (;;) {
      skip();
      const key = string();
      skip();
      if (text[at++] !== ':') fail();
      entries.set(key, value(depth + 1));
      skip();
      const next = text[at++];
      if (next === '}') return { kind: 'object', entries: [...entries] };
      if (next !== ',') fail();
    }
  }
  function array(depth: number): JsonValue[] {
    const items: JsonValue[] = [];
    at++;
    skip();
    if (text[at] === ']') {
      at++;
      return items;
    }
    for (;;) {
      items.push(value(depth + 1));
      skip();
      const next = text[at++];
      if (next === ']') return items;
      if (next !== ',') fail();
    }
  }

  const result = value(0);
  skip();
  if (at !== text.length) fail();
  return result;
}

/** Compact JSON text, objects in the requested key order. */
export function stringifyJson(value: JsonValue, order: KeyOrder = KeyOrder.input): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => stringifyJson(item, order)).join(',')}]`;
  if (value.kind === 'number') return value.text;
  const entries = order === KeyOrder.jsonb ? [...value.entries].sort(jsonbKeyOrder) : value.entries;
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stringifyJson(item, order)}`).join(',')}}`;
}

/** The value of `key` in an object, `undefined` when absent or not an object. */
export function member(value: JsonValue | undefined, key: string): JsonValue | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value.kind !== 'object') {
    return undefined;
  }
  return value.entries.find(([name]) => name === key)?.[1];
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && value.kind === 'object';
}

export function isJsonNumber(value: JsonValue | undefined): value is JsonNumber {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && value.kind === 'number';
}

const utf8 = new TextEncoder();

// PostgreSQL compares jsonb keys by byte length, then byte by byte.
function jsonbKeyOrder([a]: [string, JsonValue], [b]: [string, JsonValue]): number {
  const left = utf8.encode(a);
  const right = utf8.encode(b);
  if (left.length !== right.length) return left.length - right.length;
  for (let i = 0; i < left.length; i++) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
