import { describe, expect, it } from 'vitest';
import { heartbeat, holdSeat, runUntil, startedTriad } from './world/scenario';

/**
 * A seat is reclaimed for silence only when its client could have reached a serving master: not
 * for time the master's process was not running, nor for time it was not serving (found by seeds
 * 21870 and 23604 of a 10,000-seed run: a live client's seat revoked "no heartbeat within the
 * timeout" right after its master came back).
 */
describe('seat timeouts count only time a serving master could hear the client', () => {
  it("a master paused past the seat timeout keeps every live client's seat", async () => {
    // s = 3 s: the peers wait E = 11 s before electing; the clients' seats time out after 6 s
    const triad = await startedTriad({ seed: 41, clients: 4, heartbeatMs: 3000 });
    const [primary] = triad.members;
    expect(await runUntil(triad, () => triad.clients.oracle.grantsTold >= 4, 20_000)).toBeNull();
    const term = primary.driver!.term();
    // stopped (SIGSTOP) past the seat timeout, not past E: the clients' heartbeats wait in its sockets
    primary.pausedUntil = triad.world.now + 7_000;
    expect(await triad.run(primary.pausedUntil + 100)).toBeNull();
    expect(triad.checker.masters()).toEqual([primary]);
    expect(primary.driver!.term()).toBe(term);
    expect(await triad.run(triad.world.now + 15_000)).toBeNull();
    expect(triad.clients.oracle.liveSeatsLost).toEqual([]);
    expect(triad.world.traceText()).not.toMatch(/IN: .*\(INACTIVE\)/);
  });

  it('a master that stops serving and serves again in the same term keeps the seats of clients that kept trying', async () => {
    const triad = await startedTriad({ seed: 42, heartbeatMs: 1000 });
    const [primary, secondary, tertiary] = triad.members;
    const term = primary.driver!.term();
    const seat = await holdSeat(triad, primary, 'ann');
    // the client heartbeats every 2 s (its seat times out after 6 s without one)
    const answers: string[] = [];
    const beat = () => {
      if (!primary.running) return;
      void heartbeat(primary, seat).then((answer) =>
        answers.push(answer.type === 'heartbeatAck' ? `ack${answer.unknown.length ? ' unknown' : ''}` : answer.type),
      );
      triad.world.at(triad.world.now + 2_000, beat);
    };
    beat();
    // the tertiary is down and the secondary cut off: no quorum, the primary serves nobody, and
    // nobody else can be elected; 8 s later the secondary is back and the primary serves again,
    // in the same term (the secondary voted for nobody meanwhile)
    tertiary.crash();
    triad.network.cut(primary.rank, secondary.rank);
    expect(await runUntil(triad, () => triad.checker.masters().length === 0, 10_000)).toBeNull();
    expect(await triad.run(triad.world.now + 8_000)).toBeNull();
    expect(answers.at(-1)).toBe('refused');
    triad.network.healAll();
    expect(await runUntil(triad, () => triad.checker.masters()[0] === primary, 5_000)).toBeNull();
    expect(primary.driver!.term()).toBe(term);
    // the client's next heartbeat finds its seat: its silence while nobody served did not count
    const heard = answers.length;
    expect(await runUntil(triad, () => answers.length > heard, 3_000)).toBeNull();
    expect(answers.at(-1)).toBe('ack');
    expect(triad.world.traceText()).not.toMatch(/IN: .*\(INACTIVE\)/);
  });
});
