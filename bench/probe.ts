/**
 * (p) A desk probe of a 1 GB body: the packed agent (as agent-resources.ts builds and runs it) with
 * one HLS probe whose URL first serves a small playlist, then, once the agent is steady, 1 GiB of
 * junk generated on the fly with no Content-Length (a user who points `hls:` at the video file).
 * RSS steady before; the peak (VmHWM, reset through /proc/PID/clear_refs just before the big body)
 * during the probe; how much the server managed to send before the agent hung up, and how soon.
 * Target: peak <= steady + 20 MB (the probe reads at most 512 KiB of a playlist).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBroker } from '../device/demo/broker.ts';
import { startFakeEc2 } from '../device/demo/fake-ec2.ts';
import { seedFakeEc2 } from '../device/demo/pipeline.ts';
import { fetchBoard, socketPath } from '../device/outputs/web/status-socket.ts';
import { buildPackedAgent, rssMb, unitEnvironment } from './agent-resources.ts';
import { ACCOUNT, benchFleet } from './latency.ts';
import { type Section, until } from './report.ts';

const OUT = fileURLToPath(new URL('../node_modules/.cache/ec2led-bench/probe/', import.meta.url));
const REGIONS = ['us-east-1', 'eu-west-1'];
const BODY_BYTES = 1024 ** 3;
const TARGET_MB = 20;

interface Video {
  sent: number;
  startedAt: number;
  closedAt: number | undefined;
}

/** Writes BODY_BYTES of 0x47 in 64 KiB chunks, as fast as the reader takes them, until it hangs up. */
function serveVideo(response: ServerResponse, video: Video): void {
  const chunk = Buffer.alloc(64 * 1024, 0x47);
  response.once('close', () => {
    video.closedAt = performance.now();
  });
  response.writeHead(200, { 'content-type': 'video/mp2t' });
  const write = () => {
    while (video.sent < BODY_BYTES && !response.destroyed) {
      video.sent += chunk.length;
      if (!response.write(chunk)) {
        response.once('drain', write);
        return;
      }
    }
    if (!response.destroyed) response.end();
  };
  write();
}

export async function benchProbe(): Promise<Section> {
  await buildPackedAgent(OUT);
  let mode: 'playlist' | 'video' = 'playlist';
  let playlists = 0;
  const video: Video = { sent: 0, startedAt: 0, closedAt: undefined };
  const server = createServer((request, response) => {
    if (request.url !== '/live.m3u8') {
      response.writeHead(404).end();
      return;
    }
    if (mode === 'playlist') {
      playlists += 1;
      response.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' });
      response.end(
        '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:1\n#EXTINF:2.0,\ns1.ts\n#EXT-X-ENDLIST\n',
      );
      return;
    }
    video.startedAt = performance.now();
    serveVideo(response, video);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const broker = await startBroker();
  const ec2 = await startFakeEc2({ host: '127.0.0.1', port: 0 });
  seedFakeEc2(ec2, benchFleet(100, 'running'), REGIONS);
  const stateDir = await mkdtemp(join(tmpdir(), 'ec2led-bench-probe-'));
  const config = {
    mqtt: { endpoint: broker.host, port: broker.port, clientId: 'ec2led-bench-probe', tls: false },
    aws: { credentials: 'default', accounts: [ACCOUNT], regions: REGIONS, ec2Endpoint: ec2.url },
    stateDir,
    display: { board: 'none', virtualWidth: 16, virtualHeight: 16 },
    probes: [{ name: 'lobby', url: `hls:${base}/live.m3u8`, intervalSeconds: 10 }],
    log: { level: 'warn' },
  };
  await writeFile(join(stateDir, 'config.json'), JSON.stringify(config));
  let agent: ChildProcess | undefined;
  try {
    agent = spawn(
      process.execPath,
      [join(OUT, 'run.mjs'), 'agent', '--config', join(stateDir, 'config.json')],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: {
          ...process.env,
          ...(await unitEnvironment()),
          AWS_ACCESS_KEY_ID: 'AKIDBENCH',
          AWS_SECRET_ACCESS_KEY: 'bench',
        },
      },
    );
    const pid = agent.pid as number;
    const probeState = async () =>
      (await fetchBoard(socketPath(stateDir))).pixels.find((p) => p.entry?.name === 'lobby')?.entry?.state;
    await until(
      'the agent to list and the probe to read the playlist',
      async () => (await probeState()) === 'off-air',
      30_000,
      100,
    );
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const steady = (await rssMb(pid)).rss;
    // Reset the peak (VmHWM) to the current RSS: what follows is the probe's peak alone (proc(5)).
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    const before = playlists;
    mode = 'video';
    await until(
      'the next probe to fetch the 1 GiB body and hang up',
      () => video.closedAt !== undefined,
      30_000,
      20,
    );
    await until('the probe to show down', async () => (await probeState()) === 'down', 10_000, 50);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = await rssMb(pid);
    const hungUpMs = (video.closedAt as number) - video.startedAt;
    agent.kill('SIGTERM');
    await once(agent, 'exit');
    return {
      id: 'probe',
      title: '(p) A desk probe of a 1 GB body (packed agent, 100 instances, one `hls:` probe)',
      metrics: [
        { name: 'RSS steady, before the probe', value: steady, unit: 'MB' },
        {
          name: 'peak RSS (VmHWM) during the 1 GiB probe',
          note: `playlist reads before it: ${before}`,
          value: after.peak,
          unit: 'MB',
          target: `<= steady + ${TARGET_MB}`,
          pass: after.peak <= steady + TARGET_MB,
        },
        {
          name: 'peak minus steady',
          value: after.peak - steady,
          unit: 'MB',
          target: `<= ${TARGET_MB}`,
          pass: after.peak - steady <= TARGET_MB,
        },
        {
          name: 'bytes the server wrote before the agent hung up',
          note: 'the 512 KiB read plus what the sockets buffer',
          value: video.sent / 2 ** 20,
          unit: 'MiB',
        },
        { name: 'body start to hang-up', value: hungUpMs, unit: 'ms' },
        { name: 'RSS after', value: after.rss, unit: 'MB' },
      ],
    };
  } finally {
    if (agent !== undefined && agent.exitCode === null && agent.signalCode === null) agent.kill('SIGKILL');
    server.closeAllConnections();
    await Promise.all([broker.close(), ec2.close(), new Promise((resolve) => server.close(resolve))]);
    await rm(stateDir, { recursive: true, force: true });
  }
}
