import { css } from 'lit';

// Theme through the public --pasarela-* properties; the private --_* ones carry the light or dark
// default when a property is unset. Every default text/background pair meets WCAG AA contrast.
export const styles = css`
  :host {
    --_accent: var(--pasarela-accent, #0a58ca);
    --_on-accent: var(--pasarela-accent-text, #fff);
    --_bg: var(--pasarela-background, #fff);
    --_text: var(--pasarela-text, #1b1e24);
    --_muted: var(--pasarela-muted, #545b66);
    --_border: var(--pasarela-border, #c9ced6);
    --_ok: var(--pasarela-success, #17803d);
    --_bad: var(--pasarela-danger, #c4302b);
    --_radius: var(--pasarela-radius, 10px);
    --_gap: var(--pasarela-gap, 12px);
    display: block;
    max-width: 28rem;
    color: var(--_text);
    font: 1rem/1.45 var(--pasarela-font, system-ui, sans-serif);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_accent: var(--pasarela-accent, #7cb0ff);
      --_on-accent: var(--pasarela-accent-text, #0b1220);
      --_bg: var(--pasarela-background, #16181d);
      --_text: var(--pasarela-text, #eef0f3);
      --_muted: var(--pasarela-muted, #a9b0bb);
      --_border: var(--pasarela-border, #4a515c);
      --_ok: var(--pasarela-success, #5fd38a);
      --_bad: var(--pasarela-danger, #ff8a80);
    }
  }
  :host([hidden]) {
    display: none;
  }
  .base {
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: calc(var(--_gap) * 1.5);
  }
  form,
  fieldset,
  .status {
    display: grid;
    gap: var(--_gap);
    border: 0;
    margin: 0;
    padding: 0;
  }
  .status {
    justify-items: center;
    text-align: center;
  }
  legend {
    font-weight: 600;
    padding: 0 0 var(--_gap);
  }
  label,
  .button {
    display: flex;
    align-items: center;
    gap: var(--_gap);
    padding: var(--_gap);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    cursor: pointer;
  }
  label:has(:checked) {
    border-color: var(--_accent);
    box-shadow: inset 0 0 0 1px var(--_accent);
  }
  input {
    accent-color: var(--_accent);
    margin: 0;
    width: 1.15rem;
    height: 1.15rem;
  }
  .icon {
    flex: none;
    width: 2rem;
    height: 2rem;
  }
  .generic {
    border-radius: 25%;
    background: var(--_border);
  }
  .provider-text {
    display: grid;
  }
  .provider-name,
  .button {
    font-weight: 600;
  }
  .muted,
  .waiting,
  .loading {
    color: var(--_muted);
    margin: 0;
  }
  h2 {
    font-size: 1.2rem;
    margin: 0;
    outline: none;
  }
  .button {
    justify-content: center;
    padding: 0.6rem 1rem;
    border-color: var(--_accent);
    background: none;
    color: var(--_accent);
    font: inherit;
    text-decoration: none;
  }
  .primary {
    background: var(--_accent);
    color: var(--_on-accent);
  }
  [aria-disabled='true'] {
    opacity: 0.75;
    cursor: progress;
  }
  :focus-visible,
  label:has(:focus-visible) {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    justify-content: center;
    gap: var(--_gap);
  }
  .qr {
    padding: 8px;
    background: #fff;
    border-radius: var(--_radius);
  }
  .amount {
    font-size: 1.5rem;
    font-weight: 700;
    margin: 0;
  }
  .loading,
  .waiting {
    display: flex;
    align-items: center;
    justify-content: center;
    gap: 0.6em;
    outline: none;
  }
  .mark {
    display: grid;
    place-items: center;
    width: 3rem;
    height: 3rem;
    border-radius: 50%;
    font-size: 1.5rem;
    font-weight: 700;
    color: var(--_bg);
    background: var(--_bad);
  }
  .paid .mark {
    background: var(--_ok);
  }
  .spinner {
    width: 1.1em;
    height: 1.1em;
    border: 2px solid;
    border-right-color: transparent;
    border-radius: 50%;
    animation: spin 0.8s linear infinite;
  }
  @keyframes spin {
    to {
      transform: rotate(1turn);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .spinner {
      animation: none;
    }
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
