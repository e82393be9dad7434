// The package's server entries: `pasarela/server` runs on any Hono runtime (Bun, Deno, workers),
// so nothing in its static import graph reaches the file system, Node's paths, SQLite or the Node
// listener; those live behind `pasarela/server/node`, which package.json points at the file tsc
// emits for it.
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

const nodeOnlyPackages = ['better-sqlite3', '@hono/node-server'];

function isNodeOnly(specifier: string): boolean {
  if (specifier.startsWith('node:')) return true;
  const bare = specifier.split('/')[0]!;
  if (builtinModules.includes(bare)) return true;
  return nodeOnlyPackages.some((name) => specifier === name || specifier.startsWith(`${name}/`));
}

/**
 * Every `import … from` and `export … from` of the files reachable from `entry` by those
 * declarations. Dynamic `import()` is not followed: it loads only when called. Type-only imports
 * are: they stay in the emitted `.d.ts`.
 */
function staticImportGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const pending = [resolve(root, entry)];
  for (let file = pending.pop(); file; file = pending.pop()) {
    if (graph.has(file)) continue;
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    const specifiers = source.statements.flatMap((statement) =>
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
      statement.moduleSpecifier &&
      ts.isStringLiteral(statement.moduleSpecifier)
        ? [statement.moduleSpecifier.text]
        : [],
    );
    graph.set(file, specifiers);
    for (const specifier of specifiers.filter((s) => s.startsWith('.'))) {
      const imported = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
      expect(existsSync(imported), `${relative(root, file)} imports ${specifier}`).toBe(true);
      pending.push(imported);
    }
  }
  return graph;
}

/** `file → specifier` for each Node-only import reachable from `entry`. */
function nodeOnlyImports(entry: string): string[] {
  return [...staticImportGraph(entry)].flatMap(([file, specifiers]) =>
    specifiers.filter(isNodeOnly).map((specifier) => `${relative(root, file)} → ${specifier}`),
  );
}

describe('pasarela/server', () => {
  it('reaches no Node built-in, SQLite or Node listener through its static imports', () => {
    expect(nodeOnlyImports('server/index.ts')).toEqual([]);
  });

  it('is told apart from a graph that does reach them', () => {
    const found = nodeOnlyImports('server/node/index.ts');
    expect(found).toContain('server/serve.ts → @hono/node-server');
    expect(found).toContain('server/node/store-and-bundle.ts → node:fs');
    expect(found).toContain('server/backup.ts → better-sqlite3');
  });
});

describe('pasarela/server/node', () => {
  it('exports the listener, the store opener, the widget-bundle loader and the backup', async () => {
    const entry = await import('../../server/node/index.js');
    for (const name of ['startServer', 'closeOnSignals', 'openStore', 'loadWidgetBundle', 'backupDatabase']) {
      expect(typeof entry[name as keyof typeof entry], name).toBe('function');
    }
  });
});

describe('package.json exports', () => {
  const build = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.build.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  )!;
  const exports = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).exports as Record<
    string,
    unknown
  >;

  it.each([
    ['./server', 'server/index.ts'],
    ['./server/node', 'server/node/index.ts'],
  ])('points %s at the JavaScript and types tsc emits for %s', (subpath, source) => {
    const file = join(root, source);
    expect(build.fileNames.map((name) => resolve(name))).toContain(file);
    const outputs = ts.getOutputFileNames(build, file, false).map((output) => `./${relative(root, output)}`);
    const javascript = outputs.find((output) => output.endsWith('.js'));
    const types = outputs.find((output) => output.endsWith('.d.ts'));
    expect(exports[subpath]).toEqual({ types, default: javascript });
  });
});
