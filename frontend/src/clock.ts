// The countdown: the server's `deadline - server_time` at the last response, minus the
// monotonic time since (performance.now()); the computer's own clock is never read.
let remainingAtSync = Number.POSITIVE_INFINITY;
let perfAtSync = 0;
let deadlineMs = Number.NaN;

export function sync(serverTime: string, deadline?: string): void {
  if (deadline) deadlineMs = Date.parse(deadline);
  const server = Date.parse(serverTime);
  if (Number.isNaN(server) || Number.isNaN(deadlineMs)) return;
  remainingAtSync = deadlineMs - server;
  perfAtSync = performance.now();
}

export function remainingMs(): number {
  return remainingAtSync - (performance.now() - perfAtSync);
}

export function format(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const mm = String(minutes).padStart(2, "0");
  const ss = String(seconds).padStart(2, "0");
  return hours ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}
