// Imported first by main.ts, before the framework loads (which takes most of a second): a SIGTERM that
// arrives during start-up is remembered instead of killing the process with the embedded database running.
let pending: string | undefined;
let handler: ((signal: string) => void) | undefined;

const received = (signal: string) => (handler ? handler(signal) : (pending ??= signal));
process.on('SIGTERM', () => received('SIGTERM'));
process.on('SIGINT', () => received('SIGINT'));

/** The stop signal received before a handler took over, if any. */
export const pendingStopSignal = (): string | undefined => pending;

/** From now on signals go to `h` (the full shutdown). */
export function onStopSignal(h: (signal: string) => void): void {
  handler = h;
}
