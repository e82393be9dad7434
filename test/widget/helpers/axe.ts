// axe-core against one element (its shadow tree included), WCAG 2.2 A/AA plus best practices.
// Page-level rules are off: the test page is a bare host for the element, not a real page.
import 'axe-core';
import type { AxeResults, ElementContext, RunOptions } from 'axe-core';

const axe = (
  window as unknown as { axe: { run(context: ElementContext, options: RunOptions): Promise<AxeResults> } }
).axe;

export async function axeViolations(element: Element): Promise<string[]> {
  const results = await axe.run(element, {
    runOnly: {
      type: 'tag',
      values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
    },
    rules: {
      region: { enabled: false },
      'page-has-heading-one': { enabled: false },
      'landmark-one-main': { enabled: false },
    },
  });
  return results.violations.map(
    (violation) =>
      `${violation.id}: ${violation.help} (${violation.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
}
