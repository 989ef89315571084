// Imported first by main.ts, before the framework loads (which takes most of a second): a SIGTERM that
// arrives during start-up is remembered instead of killing the process with the embedded database running.
let pending: string | undefined;
let handler: ((signal: string) => void) | undefined;
const startup = new AbortController();

const received = (signal: string) => {
  if (handler) return handler(signal);
  pending ??= signal;
  startup.abort();
};
process.on('SIGTERM', () => received('SIGTERM'));
process.on('SIGINT', () => received('SIGINT'));

export const pendingStopSignal = (): string | undefined => pending;

/** Aborted by a stop signal during start-up: long steps (initdb) stop at once instead of running to their end. */
export const startupAbort: AbortSignal = startup.signal;

export function onStopSignal(h: (signal: string) => void): void {
  handler = h;
}
