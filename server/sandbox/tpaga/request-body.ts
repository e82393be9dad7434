import type { Context } from 'hono';
import { unparseableBody } from './errors.js';
import { isJsonObject, type JsonObject, JsonSyntaxError, type JsonValue, member, parseJson } from './json.js';

/**
 * The parameters of an API call, read the way a Rails app reads them: a JSON body, or a
 * form-encoded one (also when there is no Content-Type, as Rack does) with `a[b]` / `a[]`
 * nesting. Unparseable JSON is a 400 with an empty body; a JSON body that is not an object, or
 * any other content type, carries no parameters.
 */
export async function readParams(c: Context): Promise<JsonObject> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json' || type.endsWith('+json')) {
    const text = await c.req.text();
    if (text.trim() === '') return emptyObject();
    try {
      const value = parseJson(text);
      return isJsonObject(value) ? value : emptyObject();
    } catch (error) {
      if (error instanceof JsonSyntaxError) throw unparseableBody();
      throw error;
    }
  }
  if (type === '' || type === 'application/x-www-form-urlencoded') {
    return nestFormFields(new URLSearchParams(await c.req.text()));
  }
  if (type === 'multipart/form-data') {
    let form: FormData;
    try {
      form = await c.req.raw.formData();
    } catch {
      throw unparseableBody();
    }
    const fields: Array<[string, string]> = [];
    for (const [name, value] of form) if (typeof value === 'string') fields.push([name, value]);
    return nestFormFields(fields);
  }
  return emptyObject();
}

/** Rack's nesting of form field names: `a[b]=1` → `{"a":{"b":"1"}}`, `a[][b]=1` → `{"a":[{"b":"1"}]}`. */
export function nestFormFields(fields: Iterable<[string, string]>): JsonObject {
  const params = emptyObject();
  for (const [name, value] of fields) {
    const found = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(name);
    if (!found) {
      set(params, name, value);
      continue;
    }
    const path = [...(found[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((segment) => segment[1] ?? '');
    assign(params, found[1] ?? name, path, value);
  }
  return params;
}

function assign(target: JsonObject, key: string, path: string[], value: string): void {
  const [next, ...rest] = path;
  if (next === undefined) {
    set(target, key, value);
    return;
  }
  if (next === '') {
    let list = member(target, key);
    if (!Array.isArray(list)) {
      list = [];
      set(target, key, list);
    }
    const [field, ...deeper] = rest;
    if (field === undefined) {
      list.push(value);
      return;
    }
    // `a[][name]=x&a[][value]=y` builds one element; a repeated `name` starts the next one.
    const last = list.at(-1);
    const element = isJsonObject(last) && !hasPath(last, rest) ? last : emptyObject();
    if (element !== last) list.push(element);
    assign(element, field, deeper, value);
    return;
  }
  let child = member(target, key);
  if (!isJsonObject(child)) {
    child = emptyObject();
    set(target, key, child);
  }
  assign(child, next, rest, value);
}

function hasPath(target: JsonValue | undefined, path: string[]): boolean {
  const [next, ...rest] = path;
  if (next === undefined || next === '') return true;
  const child = member(target, next);
  return child !== undefined && hasPath(child, rest);
}

function set(target: JsonObject, key: string, value: JsonValue): void {
  const entry = target.entries.find(([name]) => name === key);
  if (entry) entry[1] = value;
  else target.entries.push([key, value]);
}

function emptyObject(): JsonObject {
  return { kind: 'object', entries: [] };
}
