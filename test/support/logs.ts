import { vi } from 'vitest';
import { logger } from '../../functions/commons/logger.js';

/** One structured log line, as Powertools prints it. */
export type LogLine = Record<string, unknown>;

/**
 * Collects the JSON lines the handlers log (Powertools writes one per entry to stdout or stderr) from this
 * call on, at `level` and above, instead of printing them; `stop()` restores the streams and the level.
 * The level applies to invocations that start after the call (each takes the container's level).
 */
export function captureLogLines(level: 'INFO' | 'ERROR' = 'INFO'): { lines: LogLine[]; stop(): void } {
  const lines: LogLine[] = [];
  const previousLevel = logger.getLevelName();
  logger.setLogLevel(level);
  const spies = [process.stdout, process.stderr].map((stream) => {
    const write = stream.write.bind(stream);
    return vi.spyOn(stream, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
      const text = String(chunk);
      if (!text.startsWith('{"level"')) return write(chunk as string, ...(rest as []));
      for (const line of text.trim().split('\n')) lines.push(JSON.parse(line) as LogLine);
      return true;
    });
  });
  return {
    lines,
    stop() {
      for (const spy of spies) spy.mockRestore();
      logger.setLogLevel(previousLevel);
    },
  };
}
