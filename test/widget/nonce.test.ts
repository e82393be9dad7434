// Older browsers without constructable stylesheets: Lit falls back to <style> elements, which a
// strict CSP only allows with a nonce. The page sets `window.litNonce` before loading the widget.
import { expect } from 'chai';

describe('<pasarela-checkout> in a browser without adoptedStyleSheets', () => {
  before(async () => {
    // Hide the feature before Lit loads, as an older browser would not have it.
    delete (Document.prototype as { adoptedStyleSheets?: unknown }).adoptedStyleSheets;
    delete (ShadowRoot.prototype as { adoptedStyleSheets?: unknown }).adoptedStyleSheets;
    (window as { litNonce?: string }).litNonce = 'pasarela-test-nonce';
    await import('../../widget/index.js');
  });

  it('styles itself with <style> elements carrying the page nonce', async () => {
    const element = document.createElement('pasarela-checkout') as HTMLElement & {
      updateComplete: Promise<unknown>;
    };
    element.setAttribute('server', 'http://127.0.0.1:9');
    document.body.append(element);
    await element.updateComplete;
    const styles = [...element.shadowRoot!.querySelectorAll('style')];
    expect(styles.length).to.be.greaterThan(0);
    for (const style of styles) expect(style.getAttribute('nonce')).to.equal('pasarela-test-nonce');
    expect(styles.map((s) => s.textContent).join('')).to.contain('--pasarela-');
    element.remove();
  });
});
