import { html, type TemplateResult } from 'lit';
import { isSafeMark } from './safe-url.js';
import type { ViewContext } from './view-context.js';

// Decorative, since the provider's name sits beside it. A missing or unsafe mark becomes a plain
// rounded square, so every row of the picker keeps its shape.
export function providerMark(view: ViewContext, mark: string | undefined): TemplateResult {
  return isSafeMark(mark, view.sandbox, view.api.url(''))
    ? html`<img class="icon" src=${view.api.resolve(mark)} alt="" />`
    : html`<span class="icon generic"></span>`;
}
