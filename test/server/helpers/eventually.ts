/**
 * Resolves with the first truthy answer of `check`, asked again after each short pause; rejects
 * naming `what` after `timeoutMs` (15 s: generous, for a loaded machine). For outcomes that some
 * background work (the dispatcher, the reconciler) brings about in its own time.
 */
export async function eventually<T>(
  check: () => T | undefined | false | null | Promise<T | undefined | false | null>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let pause = 5; ; pause = Math.min(pause * 2, 50)) {
    const answer = await check();
    if (answer) return answer;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
