// Imported first by main.ts: a SIGTERM during start-up is remembered, not fatal with the database running.
let pending: string | undefined;
let handler: ((signal: string) => void) | undefined;

const received = (signal: string) => (handler ? handler(signal) : (pending ??= signal));
process.on('SIGTERM', () => received('SIGTERM'));
process.on('SIGINT', () => received('SIGINT'));

export const pendingStopSignal = (): string | undefined => pending;

export function onStopSignal(h: (signal: string) => void): void {
  handler = h;
}
