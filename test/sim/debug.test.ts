import { it } from 'vitest';
import { scheduleFaults } from './world/nemesis';
import { TriadWorld } from './world/triadWorld';
it('debug', async () => {
  const seed = 565;
  const triad = new TriadWorld({ seed, heartbeatMs: seed % 5 === 0 ? 2000 : 1000, primaryIsMaster: seed % 3 === 0, fullTrace: true });
  const { world } = triad;
  for (const member of triad.members) world.at(world.rng.between(0, 5000), () => member.start());
  scheduleFaults(triad, 25000);
  console.log(await triad.run(25000));
  for (const m of triad.members) {
    const rows = m.disk.quorum.readFrom(1, 1000).map((r) => { const op = r.op as any; return `${r.idx}:e${r.epoch}:${op.kind}:${op.payload?.lease?.leaseId ?? op.payload?.leaseId ?? ''}`; });
    console.log(m.letter, JSON.stringify(m.disk.quorum.state()), rows.slice(7, 14).join(' '));
  }
});
