// The `?pasarela_session=<id>` the server adds when the buyer comes back from a provider.

export const resumeParam = 'pasarela_session';

export function resumeSessionId(): string | null {
  return new URL(location.href).searchParams.get(resumeParam);
}

/** Drops the parameter from the address bar, so a reload or a shared link does not resume again. */
export function forgetResumeSession(): void {
  const url = new URL(location.href);
  if (!url.searchParams.has(resumeParam)) return;
  url.searchParams.delete(resumeParam);
  history.replaceState(history.state, '', url.href);
}
