// A build plugin for the script-tag bundle: collapses the whitespace inside Lit's `html`, `svg`
// and `css` tagged templates, which no JavaScript minifier touches. Works on the literal parts of
// each template only (found with the TypeScript parser), so the `${…}` expressions are untouched.
import ts from 'typescript';

const tags = new Set(['html', 'svg', 'css']);

/** HTML: a whitespace run holding a line break becomes one space (text meaning stays the same). */
function minifyHtml(raw) {
  return raw.replace(/\s*\n\s*/g, ' ');
}

/** CSS: whitespace collapsed, and dropped around punctuation where CSS does not need it. */
function minifyCss(raw) {
  return raw
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/ ?([{};,]) ?/g, '$1')
    .replace(/: /g, ':')
    .replace(/;}/g, '}');
}

export function minifyTemplate(source, fileName) {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edits = [];
  const visit = (node) => {
    if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && tags.has(node.tag.text)) {
      const minify = node.tag.text === 'css' ? minifyCss : minifyHtml;
      const template = node.template;
      const parts = ts.isNoSubstitutionTemplateLiteral(template)
        ? [template]
        : [template.head, ...template.templateSpans.map((span) => span.literal)];
      for (const part of parts) {
        const start = part.getStart(file) + 1; // after ` or }
        const end = part.end - (ts.isTemplateHead(part) || ts.isTemplateMiddle(part) ? 2 : 1); // before ${ or `
        edits.push({ start, end, text: minify(source.slice(start, end)) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  let output = source;
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    output = output.slice(0, edit.start) + edit.text + output.slice(edit.end);
  }
  return output;
}

/** The Vite/Rolldown plugin, for the widget's own TypeScript files. */
export function minifyTemplates() {
  return {
    name: 'pasarela-minify-templates',
    enforce: 'pre',
    transform(code, id) {
      if (!/[/\\]widget[/\\][^/\\]+\.ts$/.test(id)) return null;
      return { code: minifyTemplate(code, id), map: null };
    },
  };
}
