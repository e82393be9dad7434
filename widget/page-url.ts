// The `?pasarela_session=<id>` the server adds when the buyer comes back from a provider.

export const resumeParam = 'pasarela_session';

export function resumeSessionId(): string | null {
  return new URL(location.href).searchParams.get(resumeParam);
}

/**
 * Drops the parameter from the address bar once session `id` is settled, so a reload or a shared
 * link does not resume it again. Only for that session: another checkout on the page may own it.
 */
export function forgetResumeSession(id: string): void {
  const url = new URL(location.href);
  if (url.searchParams.get(resumeParam) !== id) return;
  url.searchParams.delete(resumeParam);
  history.replaceState(history.state, '', url.href);
}
