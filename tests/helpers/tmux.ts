/** A real terminal for the CLI: a detached tmux session (a pseudo-terminal) whose screen a test reads and types into. */
import { execFileSync } from 'node:child_process';

export const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();

export interface Terminal {
  /** The visible screen, as text. */
  screen(): string;
  /** Types text (tmux key names allowed: 'Enter', 'C-c'). */
  keys(...keys: string[]): void;
  /** Polls the screen until `done(screen)` or the timeout; returns the last screen. */
  waitFor(done: (screen: string) => boolean, timeoutMs?: number, each?: (screen: string) => void): Promise<string>;
  close(): void;
}

/** Runs `command` (a shell line) in a new 200x50 tmux session. */
export function openTerminal(command: string): Terminal {
  const session = `ielt-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '200', '-y', '50', command]);
  const screen = () => execFileSync('tmux', ['capture-pane', '-p', '-t', session]).toString();
  return {
    screen,
    keys: (...keys) => execFileSync('tmux', ['send-keys', '-t', session, ...keys]),
    async waitFor(done, timeoutMs = 60_000, each) {
      const until = Date.now() + timeoutMs;
      let s = screen();
      while (!done(s) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
        s = screen();
        each?.(s);
      }
      return s;
    },
    close() {
      try {
        execFileSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    },
  };
}
