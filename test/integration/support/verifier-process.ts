// Starts verifier-worker.ts (an SDK verifier following the revocation feed) in a child process
// and talks to it over IPC. Event-driven: every wait is on a message, nothing sleeps.
import { fork, type ChildProcess } from 'node:child_process';

const workerPath = new URL('./verifier-worker.ts', import.meta.url);

export interface Worker {
  child: ChildProcess;
  messages: Array<Record<string, unknown>>;
  next(predicate: (message: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  verify(token: string): Promise<Record<string, unknown>>;
}

let requestId = 0;

export function startWorker(env: Record<string, string>): Worker {
  const child = fork(workerPath, [], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const messages: Array<Record<string, unknown>> = [];
  const waiting: Array<() => void> = [];
  child.on('message', (message) => {
    messages.push(message as Record<string, unknown>);
    for (const wake of waiting.splice(0)) wake();
  });
  const next = async (predicate: (message: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => {
    for (;;) {
      const found = messages.find(predicate);
      if (found !== undefined) return found;
      if (child.exitCode !== null) throw new Error(`verifier process exited with ${child.exitCode}`);
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };
  return {
    child,
    messages,
    next,
    async verify(token) {
      const id = ++requestId;
      child.send({ type: 'verify', token, id });
      return next((m) => m.type === 'verified' && m.id === id);
    },
  };
}

