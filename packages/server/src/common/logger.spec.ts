import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, NestPinoLogger } from './logger';

/** A stream that says it is (or is not) a terminal, and what was written to it. */
function output(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  return { stream, text: () => chunks.join('') };
}

const settings = { logLevel: 'info', logFormat: 'auto', nodeEnv: 'development' } as const;

describe('createLogger', () => {
  it('writes one readable line per entry on a terminal, fields beside the message', async () => {
    const terminal = output(true);
    createLogger(settings, terminal.stream).info({ scoreId: '42' }, 'Score applied');
    await expect.poll(terminal.text).toMatch(/INFO.*Score applied.*"scoreId":"42"/);
    expect(terminal.text().trim().split('\n')).toHaveLength(1);
    expect(() => JSON.parse(terminal.text()) as unknown).toThrow();
  });

  it('writes JSON when the output is not a terminal, or in production', async () => {
    for (const [isTTY, nodeEnv] of [
      [false, 'development'],
      [true, 'production'],
    ] as const) {
      const out = output(isTTY);
      createLogger({ ...settings, nodeEnv }, out.stream).info({ scoreId: '42' }, 'Score applied');
      await expect.poll(out.text).toContain('\n');
      expect(JSON.parse(out.text())).toMatchObject({ msg: 'Score applied', scoreId: '42' });
    }
  });

  it('follows LOG_FORMAT over the terminal check', async () => {
    const json = output(true);
    createLogger({ ...settings, logFormat: 'json' }, json.stream).info('one');
    const readable = output(false);
    createLogger({ ...settings, logFormat: 'pretty' }, readable.stream).info('two');
    await expect.poll(json.text).toContain('\n');
    await expect.poll(readable.text).toContain('\n');
    expect(JSON.parse(json.text())).toMatchObject({ msg: 'one' });
    expect(readable.text()).toMatch(/INFO.*two/);
  });

  it('says which process wrote a readable line when several share the terminal', async () => {
    const one = output(true);
    createLogger(settings, one.stream).info('alone');
    const several = output(true);
    createLogger({ ...settings, apiProcesses: 2 }, several.stream).info('among others');
    await expect.poll(one.text).toContain('\n');
    await expect.poll(several.text).toContain('\n');
    expect(one.text()).not.toContain(`[${process.pid}]`);
    expect(several.text()).toContain(`[${process.pid}] among others`);
  });
});

describe('NestPinoLogger', () => {
  it("keeps Nest's start-up lines for LOG_LEVEL=debug and the rest at their level", async () => {
    const out = output(false);
    const nest = new NestPinoLogger(createLogger(settings, out.stream));
    nest.log('Mapped {/api/scores, POST} route', 'RouterExplorer');
    nest.log('AppModule dependencies initialized', 'InstanceLoader');
    nest.log('Worker started', 'ScoreWorker');
    await expect.poll(out.text).toContain('Worker started');
    expect(out.text()).not.toContain('Mapped');
    expect(out.text()).not.toContain('AppModule');
    expect(JSON.parse(out.text())).toMatchObject({ context: 'ScoreWorker', level: 30 });
  });
});
