// Proves the browser test set-up: TypeScript and bare imports are served to a real Chromium,
// a Lit element renders into its shadow root and reacts to a real click.
import { expect } from 'chai';
import { html, LitElement } from 'lit';

class SetupCounter extends LitElement {
  static override properties = { count: { type: Number } };
  declare count: number;

  constructor() {
    super();
    this.count = 0;
  }

  override render() {
    return html`<button @click=${() => this.count++}>clicked ${this.count}</button>`;
  }
}
customElements.define('setup-counter', SetupCounter);

describe('browser test set-up', () => {
  it('renders a Lit element in Chromium and updates it on a click', async () => {
    const element = document.createElement('setup-counter') as SetupCounter;
    document.body.append(element);
    await element.updateComplete;
    const button = element.shadowRoot!.querySelector('button')!;
    expect(button.textContent).to.equal('clicked 0');
    button.click();
    await element.updateComplete;
    expect(button.textContent).to.equal('clicked 1');
    expect(navigator.userAgent).to.match(/Chrome\//);
    element.remove();
  });
});
